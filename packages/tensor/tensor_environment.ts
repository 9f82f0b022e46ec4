/**
 * The part of a TF.js task's key that lives outside its params: the tensor
 * backend it would run on. Backends round differently (wasm fuses
 * multiply-adds), so a result computed on one is not reused for another.
 */
import { resolveBackendChoice } from "./runtime.ts";

/**
 * The requested backend (the task's `backend` param, else `DROPLINE_BACKEND`,
 * else `auto`) as key facts. `auto` stays `auto`: resolving it would load TF.js
 * in the scheduler. Throws a TypeError naming an unknown backend.
 *
 * @example
 * ```ts
 * tensorEnvironment("cpu"); // { tensor_backend: "cpu" }
 * ```
 */
export function tensorEnvironment(backend: string | undefined): Record<string, string> {
  return { tensor_backend: resolveBackendChoice(backend, Deno.env.get("DROPLINE_BACKEND")) };
}
