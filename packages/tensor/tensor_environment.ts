/**
 * The part of a TF.js task's key that lives outside its params: the tensor
 * backend it would run on, as resolved on this machine. Backends round
 * differently (wasm fuses multiply-adds, a BLAS sums in another order, GPUs
 * differ again), so a result computed on one is not reused for another.
 */
import { resolveBackend } from "./resolve_backend.ts";

/**
 * The backend the request resolves to (the task's `backend` param, else
 * `DROPLINE_BACKEND`, else `auto`) as key facts. `auto` is resolved by cheap
 * probes, without loading TF.js (`resolve_backend.ts`). Throws a TypeError
 * naming an unknown backend.
 *
 * @example
 * ```ts
 * tensorEnvironment("cpu"); // { tensor_backend: "cpu" }
 * tensorEnvironment(undefined); // { tensor_backend: "wasm+openblas" } on a machine with OpenBLAS
 * ```
 */
export function tensorEnvironment(backend: string | undefined): Record<string, string> {
  return { tensor_backend: resolveBackend(backend).key };
}

/**
 * Deno flags a task host needs to run any backend (`webgpu` needs `--unstable-webgpu`).
 *
 * @example
 * ```ts
 * defineTask({ ..., hostFlags: TENSOR_HOST_FLAGS });
 * ```
 */
export const TENSOR_HOST_FLAGS: readonly string[] = ["--unstable-webgpu"];
