/**
 * The wasm backend's heap ends at 4 GB. When a forward/backward pass does not
 * fit, TF.js fails deep inside a kernel with a bare `RuntimeError: memory
 * access out of bounds` (or an allocation error): say what ran out and which
 * setting bounds it instead. Shared by the training tasks, each naming its
 * own settings.
 */
import { TaskError } from "@dropline/task";

const HEAP_FAILURE =
  /memory access out of bounds|out of memory|Cannot enlarge memory|Memory\.grow/i;

/** One forward/backward pass, and what bounds its size. */
export interface HeapUse {
  backend: string;
  /** Images in the pass. */
  pass: number;
  /** The settings that make the pass smaller, as a sentence start: "Set `batch_size` lower (e.g. 8)". */
  remedy: string;
}

/**
 * A `TaskError` explaining an exhausted wasm heap, or `undefined` when
 * `error` is something else. Each task names its own settings in `remedy`.
 *
 * @example
 * ```ts
 * await train().catch((error) => {
 *   throw wasmHeapExhausted(error, { backend: "wasm", pass: 96, remedy: "Set `batch_size` lower" }) ??
 *     error;
 * });
 * ```
 */
export function wasmHeapExhausted(error: unknown, use: HeapUse): TaskError | undefined {
  const message = error instanceof Error ? error.message : String(error);
  if (!use.backend.startsWith("wasm") || !HEAP_FAILURE.test(message)) return undefined;
  return new TaskError(
    `The wasm backend's 4 GB heap ran out during a forward/backward pass of ${use.pass} images ` +
      `(${message}). ${use.remedy}, or use a backend without that limit ` +
      "(`backend: webgpu` or `tensorflow`).",
    { cause: error },
  );
}

/** Half of `n`, at least 1: a smaller setting to suggest. */
export function halved(n: number): number {
  return Math.max(1, Math.floor(n / 2));
}
