/**
 * The wasm backend's heap ends at 4 GB. When a forward/backward pass does not
 * fit, TF.js fails deep inside a kernel with a bare `RuntimeError: memory
 * access out of bounds` (or an allocation error): say what ran out and which
 * setting bounds it instead.
 */
import { TaskError } from "@dropline/task";

const HEAP_FAILURE =
  /memory access out of bounds|out of memory|Cannot enlarge memory|Memory\.grow/i;

/**
 * A `TaskError` explaining an exhausted wasm heap, or `undefined` when
 * `error` is something else.
 *
 * @example
 * ```ts
 * await trainResumably(ctx, trainable, config).catch((error) => {
 *   throw heapExhausted(error, { backend: "wasm", batchSize: 32, domains: 3 }) ?? error;
 * });
 * ```
 */
export function heapExhausted(
  error: unknown,
  run: { backend: string; microBatch?: number | undefined; batchSize: number; domains: number },
): TaskError | undefined {
  const message = error instanceof Error ? error.message : String(error);
  if (!run.backend.startsWith("wasm") || !HEAP_FAILURE.test(message)) return undefined;
  const pass = run.microBatch ?? run.batchSize * run.domains;
  const smaller = Math.max(1, Math.floor(pass / 2));
  return new TaskError(
    `The wasm backend's 4 GB heap ran out during a forward/backward pass of ${pass} images ` +
      `(${message}). Set \`micro_batch\` lower (e.g. ${smaller}; the update stays the same, ` +
      "gradients are accumulated) or `eval_batch` lower if it failed while evaluating, or use " +
      "a backend without that limit (`backend: webgpu` or `tensorflow`).",
    { cause: error },
  );
}
