/**
 * How `finetune` explains an exhausted wasm heap (detection: `_shared/wasm_heap.ts`).
 */
import type { TaskError } from "@dropline/task";
import { halved, wasmHeapExhausted } from "../_shared/wasm_heap.ts";

/**
 * `finetune`'s explanation of an exhausted wasm heap: `micro_batch` bounds
 * the training pass, `eval_batch` the evaluation's.
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
  const pass = run.microBatch ?? run.batchSize * run.domains;
  return wasmHeapExhausted(error, {
    backend: run.backend,
    pass,
    remedy: `Set \`micro_batch\` lower (e.g. ${halved(pass)}; the update stays the same, ` +
      "gradients are accumulated) or `eval_batch` lower if it failed while evaluating",
  });
}
