/**
 * `${{ ... }}` interpolation over plain values. Pure: scopes are passed in.
 *
 * Expressions: `params.a.b` (dotted, numeric segments index lists),
 * `matrix.k`, `stages.<id>.out`. An interpolation that is a whole string keeps
 * the referenced value's type; inside a longer string, lists join with spaces
 * and maps become JSON.
 */
import type { ValuePath } from "./source.ts";

/** A parsed `${{ }}` expression. */
export type Reference =
  | { kind: "params"; path: string[] }
  | { kind: "matrix"; name: string }
  | { kind: "stages"; stage: string };

/** Resolves references; returns `undefined` (and reports) when one is unknown. */
export interface RenderScope {
  params(path: string[]): { value: unknown } | { error: string };
  matrix(name: string): { value: unknown } | { error: string };
  stage(stage: string): { value: unknown } | { error: string };
}

/** Receives every problem found while rendering, with the path of the value. */
export type RenderErrorSink = (path: ValuePath, message: string) => void;

const INTERPOLATION = /\$\{\{\s*(.*?)\s*\}\}/g;
const WHOLE = /^\$\{\{\s*(.*?)\s*\}\}$/;

/**
 * Parses one expression, or explains why it is not one.
 *
 * @example
 * ```ts
 * parseReference("stages.make.out"); // { kind: "stages", stage: "make" }
 * ```
 */
export function parseReference(expression: string): Reference | { error: string } {
  const [head, ...rest] = expression.split(".");
  if (head === "params" && rest.length > 0 && rest.every((s) => s !== "")) {
    return { kind: "params", path: rest };
  }
  if (head === "matrix" && rest.length === 1 && rest[0]) return { kind: "matrix", name: rest[0] };
  if (head === "stages" && rest.length === 2 && rest[0] && rest[1] === "out") {
    return { kind: "stages", stage: rest[0] };
  }
  return {
    error:
      `Cannot interpret "\${{ ${expression} }}": expected params.<name>, matrix.<key> or stages.<stage>.out`,
  };
}

/**
 * Every reference in a value (deeply), with where it occurs.
 *
 * @example
 * ```ts
 * findReferences({ run: "cat ${{ stages.a.out }}" }, []); // [{ path: ["run"], reference: { kind: "stages", stage: "a" } }]
 * ```
 */
export function findReferences(
  value: unknown,
  path: ValuePath,
): { path: ValuePath; reference: Reference | { error: string } }[] {
  if (typeof value === "string") {
    return [...value.matchAll(INTERPOLATION)].map((m) => ({
      path,
      reference: parseReference(m[1]!),
    }));
  }
  if (Array.isArray(value)) return value.flatMap((item, i) => findReferences(item, [...path, i]));
  if (typeof value === "object" && value !== null) {
    return Object.entries(value).flatMap(([k, v]) => findReferences(v, [...path, k]));
  }
  return [];
}

/**
 * Renders every interpolation in `value`.
 *
 * @example
 * ```ts
 * render("n=${{ params.n }}", scope, [], sink); // "n=3"
 * render("${{ params.list }}", scope, [], sink); // [1, 2] (type kept)
 * ```
 */
export function render(
  value: unknown,
  scope: RenderScope,
  path: ValuePath,
  sink: RenderErrorSink,
): unknown {
  if (typeof value === "string") return renderString(value, scope, path, sink);
  if (Array.isArray(value)) return value.map((item, i) => render(item, scope, [...path, i], sink));
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, render(v, scope, [...path, k], sink)]),
    );
  }
  return value;
}

function renderString(
  text: string,
  scope: RenderScope,
  path: ValuePath,
  sink: RenderErrorSink,
): unknown {
  if (!text.includes("${{")) return text;
  const whole = WHOLE.exec(text);
  if (whole && !whole[1]!.includes("}}")) return resolveExpression(whole[1]!, scope, path, sink);
  const rendered = text.replace(INTERPOLATION, (_, expression: string) => {
    const value = resolveExpression(expression, scope, path, sink);
    return value === undefined ? "" : stringify(value);
  });
  if (text.replace(INTERPOLATION, "").includes("${{")) sink(path, UNCLOSED);
  return rendered;
}

const UNCLOSED = "Unclosed `${{`: expected `}}` on the same line";

/**
 * The value of one `${{ }}` expression, or undefined after reporting why there is none.
 *
 * @example
 * ```ts
 * resolveExpression("params.n", scope, path, sink); // 3
 * ```
 */
export function resolveExpression(
  expression: string,
  scope: RenderScope,
  path: ValuePath,
  sink: RenderErrorSink,
): unknown {
  const reference = parseReference(expression);
  if ("error" in reference) {
    sink(path, reference.error);
    return undefined;
  }
  const result = reference.kind === "params"
    ? scope.params(reference.path)
    : reference.kind === "matrix"
    ? scope.matrix(reference.name)
    : scope.stage(reference.stage);
  if ("error" in result) {
    sink(path, result.error);
    return undefined;
  }
  return result.value;
}

/** How a value reads inside a longer string. */
export function stringify(value: unknown): string {
  if (typeof value === "string") return value;
  if (Array.isArray(value)) return value.map(stringify).join(" ");
  if (typeof value === "object" && value !== null) return JSON.stringify(value);
  return String(value);
}

/**
 * Looks up a dotted path in a params map.
 *
 * @example
 * ```ts
 * lookupPath({ a: { b: [5] } }, ["a", "b", "0"]); // { value: 5 }
 * ```
 */
export function lookupPath(
  root: unknown,
  path: readonly string[],
): { value: unknown } | { missingAt: number } {
  let current = root;
  for (const [i, segment] of path.entries()) {
    if (Array.isArray(current) && /^\d+$/.test(segment) && Number(segment) < current.length) {
      current = current[Number(segment)];
    } else if (
      typeof current === "object" && current !== null && !Array.isArray(current) &&
      Object.hasOwn(current, segment)
    ) {
      current = (current as Record<string, unknown>)[segment];
    } else {
      return { missingAt: i };
    }
  }
  return { value: current };
}
