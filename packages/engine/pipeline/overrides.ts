/**
 * `--set params.a.b=value` overrides, applied to the pipeline's params before
 * expansion. Values are parsed as YAML, so `--set params.n=5` is a number.
 */
import { parse } from "yaml";
import { didYouMean } from "../util/suggest.ts";
import { isRecord } from "./definition.ts";
import { lookupPath } from "./template.ts";

/** A malformed or unknown override; the CLI reports it with exit code 2. */
export class OverrideError extends Error {
  override name = "OverrideError";
}

/**
 * Returns a copy of `params` with every override applied.
 *
 * @example
 * ```ts
 * applyOverrides({ n: 3, opt: { lr: 0.1 } }, ["params.opt.lr=0.01"]); // { n: 3, opt: { lr: 0.01 } }
 * ```
 */
export function applyOverrides(
  params: Record<string, unknown>,
  overrides: readonly string[],
): Record<string, unknown> {
  const result = structuredClone(params);
  for (const override of overrides) {
    const eq = override.indexOf("=");
    if (eq < 1) {
      throw new OverrideError(`Invalid --set "${override}": expected params.<name>=<value>`);
    }
    const [head, ...path] = override.slice(0, eq).trim().split(".");
    if (head !== "params" || path.length === 0 || path.some((s) => s === "")) {
      throw new OverrideError(`Invalid --set "${override}": the name must start with "params."`);
    }
    const parentPath = path.slice(0, -1);
    const last = path[path.length - 1]!;
    const parent = lookupPath(result, parentPath);
    const container = "value" in parent ? parent.value : undefined;
    if (!isRecord(container) || !Object.hasOwn(container, last)) {
      const known = isRecord(container) ? Object.keys(container) : [];
      throw new OverrideError(
        `Invalid --set "${override}": unknown param "${path.join(".")}"${didYouMean(last, known)}`,
      );
    }
    container[last] = parseValue(override, override.slice(eq + 1));
  }
  return result;
}

function parseValue(override: string, text: string): unknown {
  try {
    return text === "" ? "" : parse(text);
  } catch (error) {
    throw new OverrideError(
      `Invalid --set "${override}": ${(error as Error).message.split("\n")[0]}`,
    );
  }
}
