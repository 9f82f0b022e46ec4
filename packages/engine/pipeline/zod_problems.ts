/**
 * Maps a task schema's zod issues back to YAML positions.
 */
import type { z } from "zod";
import { didYouMean } from "../util/suggest.ts";
import type { Problem } from "./problem.ts";
import type { PipelineSource, ValuePath } from "./source.ts";

/**
 * Problems for every zod issue, located under `stages.<name>.with`.
 *
 * @example
 * ```ts
 * const result = schema.safeParse(value);
 * if (!result.success) {
 *   problems.push(...zodProblems(result.error, { schema, input: value, source, stageName: "train", stageId: "train[seed=0]" }));
 * }
 * ```
 */
export function zodProblems(error: z.ZodError, where: ZodProblemContext): Problem[] {
  const { schema, input, source, stageName, stageId } = where;
  return error.issues.flatMap((issue) => {
    const path = issue.path.filter((s): s is string | number => typeof s !== "symbol");
    const base: ValuePath = ["stages", stageName, "with", ...path];
    if (issue.code === "unrecognized_keys") {
      const known = knownKeys(schema, path, input);
      return issue.keys.map((key) => ({
        at: source.locateKey([...base, key]),
        stage: stageId,
        field: ["with", ...path, key].join("."),
        message: `Unknown parameter "${key}"${didYouMean(key, known)}` +
          (known.length ? `; expected one of ${known.join(", ")}` : ""),
      }));
    }
    return [{
      at: source.locate(base),
      stage: stageId,
      field: ["with", ...path].join("."),
      message: valueAt(input, path) === undefined
        ? describeMissing(issue)
        : describe(issue, valueAt(input, path)),
    }];
  });
}

/** What the issues are about: the schema, the value it checked, where that value was written. */
export interface ZodProblemContext {
  schema: z.ZodType;
  /** The rendered `with` the schema checked. */
  input: unknown;
  source: PipelineSource;
  stageName: string;
  stageId: string;
}

function valueAt(input: unknown, path: readonly (string | number)[]): unknown {
  let current = input;
  for (const segment of path) {
    if (typeof current !== "object" || current === null) return undefined;
    current = (current as Record<string | number, unknown>)[segment];
  }
  return current;
}

function describeMissing(issue: z.core.$ZodIssue): string {
  if (issue.code === "invalid_type") return `Missing required field: expected ${issue.expected}`;
  // A schema's own rule (e.g. a field required only with another's value) says why.
  return issue.code === "custom"
    ? `Missing required field: ${issue.message}`
    : "Missing required field";
}

/** Issues about a value's size or form, whose messages do not say what the value was. */
const SAYS_NOT_THE_VALUE = new Set(["too_small", "too_big", "not_multiple_of", "invalid_format"]);

function describe(issue: z.core.$ZodIssue, value: unknown): string {
  const message = issue.message.replace(/^Invalid input: /, "");
  const sentence = message.charAt(0).toUpperCase() + message.slice(1);
  // Expansions of a matrix share one source position: the value tells them apart.
  if (!SAYS_NOT_THE_VALUE.has(issue.code) || typeof value === "object") return sentence;
  const shown = JSON.stringify(value);
  return `${sentence}, got ${shown.length > 60 ? `${shown.slice(0, 57)}...` : shown}`;
}

interface DefLike {
  type?: string;
  shape?: Record<string, unknown>;
  innerType?: unknown;
  in?: unknown;
  element?: unknown;
  options?: unknown[];
  discriminator?: string;
  values?: unknown[];
}

/**
 * Keys an object schema accepts at `path` (best effort through wrappers; in a
 * discriminated union, the option the input's discriminator picks).
 */
function knownKeys(schema: unknown, path: readonly (string | number)[], input: unknown): string[] {
  let value = input;
  let current = chosenOption(unwrap(schema), value);
  for (const segment of path) {
    const def = defOf(current);
    value = valueAt(value, [segment]);
    if (def?.type === "object" && typeof segment === "string") {
      current = chosenOption(unwrap(def.shape?.[segment]), value);
    } else if (def?.type === "array") current = chosenOption(unwrap(def.element), value);
    else return [];
  }
  const def = defOf(current);
  return def?.type === "object" ? Object.keys(def.shape ?? {}) : [];
}

/** The option of a discriminated union that `value`'s discriminator names (else the schema). */
function chosenOption(schema: unknown, value: unknown): unknown {
  const def = defOf(schema);
  const key = def?.discriminator;
  if (def?.type !== "union" || key === undefined) return schema;
  const wanted = valueAt(value, [key]);
  return def.options?.find((option) => {
    const tag = defOf(unwrap(defOf(option)?.shape?.[key]));
    return tag?.values?.includes(wanted);
  }) ?? schema;
}

function unwrap(schema: unknown): unknown {
  let current = schema;
  for (let i = 0; i < 10; i++) {
    const def = defOf(current);
    const inner = def?.innerType ?? (def?.type === "pipe" ? def.in : undefined);
    if (!inner) return current;
    current = inner;
  }
  return current;
}

function defOf(schema: unknown): DefLike | undefined {
  return (schema as { _zod?: { def?: DefLike } } | undefined)?._zod?.def;
}
