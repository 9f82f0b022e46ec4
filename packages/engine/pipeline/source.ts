/**
 * A parsed YAML pipeline that remembers where every value came from, so any
 * problem found later (in expansion, graph building or a task's schema) can
 * point at file:line:column.
 */
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument } from "yaml";
import type { Document, Node } from "yaml";
import { PipelineError, type SourcePosition } from "./problem.ts";

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
 * Parses YAML text. Syntax errors become a {@link PipelineError} with positions.
 *
 * @example
 * ```ts
 * const source = parsePipelineSource("p.yaml", "name: x\nstages: {}\n");
 * source.locate(["stages"]); // { line: 2, col: 9 }
 * ```
 */
export function parsePipelineSource(file: string, text: string): PipelineSource {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new PipelineError(
      file,
      doc.errors.map((error) => ({
        at: positionOf(lineCounter, error.pos[0]),
        message: `Invalid YAML: ${firstLine(error.message)}`,
      })),
    );
  }
  const position = (node: Node | null | undefined) =>
    positionOf(lineCounter, node?.range?.[0] ?? 0);
  return {
    file,
    value: doc.toJS({ maxAliasCount: 1000 }),
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

function positionOf(lineCounter: LineCounter, offset: number): SourcePosition {
  const { line, col } = lineCounter.linePos(offset);
  return { line, col };
}

function firstLine(message: string): string {
  return message.split("\n")[0]!.replace(/ at line \d+, column \d+:?$/, "");
}
