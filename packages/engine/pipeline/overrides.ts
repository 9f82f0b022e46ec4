/**
 * `--set params.a.b=value` overrides, applied to the pipeline's params before
 * expansion. Values are parsed as YAML, so `--set params.n=5` is a number.
 */
import { didYouMean } from "../util/suggest.ts";
import { isRecord } from "./definition.ts";
import { lookupPath } from "./template.ts";

/** A malformed or unknown override; the CLI reports it with exit code 2. */
export class OverrideError extends Error {
  override name = "OverrideError";
}

/** One `--set params.a.b=value`: its text, the path under `params` and the parsed value. */
export interface Override {
  text: string;
  path: string[];
  value: unknown;
}

/**
 * Reads `--set` texts into overrides, parsing each value with `parseValue`
 * (YAML, see `override_values.ts`: kept apart so a run without `--set` never
 * loads the YAML library). Malformed ones throw {@link OverrideError}.
 *
 * @example
 * ```ts
 * readOverrides(["params.opt.lr=0.01"], Number); // [{ text: "params.opt.lr=0.01", path: ["opt", "lr"], value: 0.01 }]
 * ```
 */
export function readOverrides(
  texts: readonly string[],
  parseValue: (text: string) => unknown,
): Override[] {
  return texts.map((text) => {
    const eq = text.indexOf("=");
    if (eq < 1) {
      throw new OverrideError(`Invalid --set "${text}": expected params.<name>=<value>`);
    }
    const [head, ...path] = text.slice(0, eq).trim().split(".");
    if (head !== "params" || path.length === 0 || path.some((s) => s === "")) {
      throw new OverrideError(`Invalid --set "${text}": the name must start with "params."`);
    }
    const valueText = text.slice(eq + 1);
    try {
      return { text, path, value: valueText === "" ? "" : parseValue(valueText) };
    } catch (error) {
      throw new OverrideError(
        `Invalid --set "${text}": ${(error as Error).message.split("\n")[0]}`,
      );
    }
  });
}

/**
 * Returns a copy of `params` with every override applied; an unknown param
 * throws {@link OverrideError}.
 *
 * @example
 * ```ts
 * applyOverrides({ n: 3, opt: { lr: 0.1 } }, [{ text: "params.opt.lr=0.01", path: ["opt", "lr"], value: 0.01 }]); // { n: 3, opt: { lr: 0.01 } }
 * ```
 */
export function applyOverrides(
  params: Record<string, unknown>,
  overrides: readonly Override[],
): Record<string, unknown> {
  const result = structuredClone(params);
  for (const { text, path, value } of overrides) {
    const parentPath = path.slice(0, -1);
    const last = path[path.length - 1]!;
    const parent = lookupPath(result, parentPath);
    const container = "value" in parent ? parent.value : undefined;
    if (!isRecord(container) || !Object.hasOwn(container, last)) {
      const known = isRecord(container) ? Object.keys(container) : [];
      throw new OverrideError(
        `Invalid --set "${text}": unknown param "${path.join(".")}"${didYouMean(last, known)}`,
      );
    }
    container[last] = value;
  }
  return result;
}
