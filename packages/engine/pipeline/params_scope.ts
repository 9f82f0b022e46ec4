/**
 * The render scope of pipeline params alone: where matrix values and stage
 * outputs are not (yet) available, referencing them is a problem.
 */
import { didYouMean } from "../util/suggest.ts";
import { lookupPath, type RenderScope } from "./template.ts";

/**
 * A scope resolving `params.*`, and explaining that `matrix.*` and `stages.*`
 * cannot be used in `where`.
 *
 * @example
 * ```ts
 * paramsScope({ n: 3 }, "a matrix").params(["n"]); // { value: 3 }
 * ```
 */
export function paramsScope(params: Record<string, unknown>, where: string): RenderScope {
  return {
    params: (path) => {
      const found = lookupPath(params, path);
      if ("value" in found) return found;
      const parent = lookupPath(params, path.slice(0, found.missingAt));
      const known = "value" in parent && typeof parent.value === "object" && parent.value !== null
        ? Object.keys(parent.value)
        : [];
      return {
        error: `Unknown param "${path.join(".")}"${didYouMean(path[found.missingAt]!, known)}`,
      };
    },
    matrix: (name) => ({ error: `"matrix.${name}" cannot be used in ${where}` }),
    stage: (name) => ({ error: `"stages.${name}.out" cannot be used in ${where}` }),
  };
}
