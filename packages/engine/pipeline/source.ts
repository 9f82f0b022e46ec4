/**
 * A parsed YAML pipeline that remembers where every value came from, so any
 * problem found later (in expansion, graph building or a task's schema) can
 * point at file:line:column.
 */
import { isAlias, isMap, isPair, isScalar, isSeq, LineCounter, parseDocument } from "yaml";
import type { Document, Node } from "yaml";
import { DEFAULT_LIMITS, formatCount, LIMIT_VARIABLES, type PipelineLimits } from "./limits.ts";
import { PipelineError, type Problem, type SourcePosition } from "./problem.ts";

/** A path into the YAML value: map keys and sequence indices. */
export type ValuePath = ReadonlyArray<string | number>;

/** The parsed source: its plain value and a way to locate paths in it. */
export interface PipelineSource {
  file: string;
  value: unknown;
  /** Position of the value at `path`, or of its closest existing ancestor. */
  locate(path: ValuePath): SourcePosition;
  /** Position of the key naming `path`'s last segment (for unknown-key errors). */
  locateKey(path: ValuePath): SourcePosition;
}

/**
 * Parses YAML text. Syntax errors, unknown aliases and alias expansion past
 * `limits.yamlNodes` (a "billion laughs") become a {@link PipelineError} with positions.
 *
 * @example
 * ```ts
 * const source = parsePipelineSource("p.yaml", "name: x\nstages: {}\n");
 * source.locate(["stages"]); // { line: 2, col: 9 }
 * ```
 */
export function parsePipelineSource(
  file: string,
  text: string,
  limits: Pick<PipelineLimits, "yamlNodes"> = DEFAULT_LIMITS,
): PipelineSource {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const position = (node: Node | null | undefined) =>
    positionOf(lineCounter, node?.range?.[0] ?? 0);
  if (doc.errors.length > 0) {
    throw new PipelineError(
      file,
      doc.errors.map((error) => ({
        at: positionOf(lineCounter, error.pos[0]),
        message: `Invalid YAML: ${firstLine(error.message)}`,
      })),
    );
  }
  const aliasProblems = checkAliases(doc, limits.yamlNodes, position);
  if (aliasProblems.length > 0) throw new PipelineError(file, aliasProblems);
  return {
    file,
    // Checked above: every alias resolves and the expansion is bounded.
    value: doc.toJS({ maxAliasCount: -1 }),
    locate: (path) => position(deepestNode(doc, path).node),
    locateKey: (path) => {
      const { node, keyNode } = deepestNode(doc, path);
      return position(keyNode ?? node);
    },
  };
}

function deepestNode(doc: Document, path: ValuePath): { node: Node | null; keyNode?: Node } {
  let node = doc.contents as Node | null;
  let keyNode: Node | undefined;
  for (const segment of path) {
    if (isMap(node)) {
      const pair = node.items.find((item) =>
        isPair(item) && isScalar(item.key) && String(item.key.value) === String(segment)
      );
      if (!pair) return { node };
      keyNode = pair.key as Node;
      node = pair.value as Node | null ?? keyNode;
    } else if (isSeq(node) && typeof segment === "number" && node.items[segment]) {
      node = node.items[segment] as Node;
      keyNode = undefined;
    } else {
      return { node };
    }
  }
  return keyNode ? { node, keyNode } : { node };
}

/**
 * Resolves aliases as YAML does (the last anchor of that name before the
 * alias) and counts the nodes of the expanded document, memoised per anchor,
 * so a "billion laughs" is measured without being expanded.
 */
function checkAliases(
  doc: Document,
  maxNodes: number,
  position: (node: Node) => SourcePosition,
): Problem[] {
  const problems: Problem[] = [];
  const anchors = new Map<string, Node>();
  const sizes = new Map<Node, number>();
  const open = new Set<Node>();
  let biggest: { alias: Node; source: string; size: number } | undefined;
  const size = (node: unknown): number => {
    if (!node || typeof node !== "object") return 1;
    if (isAlias(node)) {
      const target = anchors.get(node.source);
      if (!target) {
        problems.push({
          at: position(node),
          message: `Unknown alias "*${node.source}": define the anchor "&${node.source}" before it`,
        });
      } else if (open.has(target)) {
        problems.push({ at: position(node), message: `Alias "*${node.source}" contains itself` });
      }
      const expanded = target ? sizes.get(target) ?? 1 : 1;
      if (!biggest || expanded > biggest.size) {
        biggest = { alias: node, source: node.source, size: expanded };
      }
      return expanded;
    }
    const anchored = node as Node;
    if (anchored.anchor) {
      anchors.set(anchored.anchor, anchored);
      open.add(anchored);
    }
    let total = 1;
    if (isMap(node)) {
      for (const pair of node.items) {
        if (isMergeKey(pair)) {
          problems.push({
            at: position(pair.key as Node),
            message: "YAML merge keys (`<<: *anchor`) are not supported: write the fields out, " +
              "or share values through `params` and `${{ params.name }}`",
          });
        }
        total += size(pair.key) + size(pair.value);
      }
    } else if (isSeq(node)) {
      for (const item of node.items) total += size(item);
    }
    total = Math.min(total, Number.MAX_SAFE_INTEGER);
    if (anchored.anchor) {
      open.delete(anchored);
      sizes.set(anchored, total);
    }
    return total;
  };
  const total = size(doc.contents);
  if (problems.length === 0 && total > maxNodes) {
    problems.push({
      ...(biggest ? { at: position(biggest.alias) } : {}),
      message: `The document holds ${formatCount(total)} values (aliases expanded${
        biggest ? `; "*${biggest.source}" alone expands to ${formatCount(biggest.size)}` : ""
      }), more than the limit of ${
        formatCount(maxNodes)
      }; set ${LIMIT_VARIABLES.yamlNodes} to raise it`,
    });
  }
  return problems;
}

/**
 * `<<: *base` (or `<<: [*a, *b]`): YAML 1.1's merge key, which the YAML 1.2
 * parser reads as a plain key named "<<" - a confusing "unknown parameter".
 */
function isMergeKey(pair: unknown): pair is { key: Node; value: Node } {
  if (!isPair(pair) || !isScalar(pair.key) || pair.key.value !== "<<") return false;
  return isAlias(pair.value) || (isSeq(pair.value) && pair.value.items.some(isAlias));
}

function positionOf(lineCounter: LineCounter, offset: number): SourcePosition {
  const { line, col } = lineCounter.linePos(offset);
  return { line, col };
}

function firstLine(message: string): string {
  return message.split("\n")[0]!.replace(/ at line \d+, column \d+:?$/, "");
}
