/**
 * `--set` values parsed as YAML (`--set params.n=5` is a number, `[a, b]` a
 * list). Apart from `overrides.ts` so that only a run with `--set` loads the
 * YAML library for them.
 */
import { parse } from "yaml";
import { type Override, readOverrides } from "./overrides.ts";

/**
 * Reads `--set` texts, their values parsed as YAML.
 *
 * @example
 * ```ts
 * parseOverrides(["params.tags=[x, y]"])[0]!.value; // ["x", "y"]
 * ```
 */
export function parseOverrides(texts: readonly string[]): Override[] {
  return readOverrides(texts, (text) => parse(text));
}
