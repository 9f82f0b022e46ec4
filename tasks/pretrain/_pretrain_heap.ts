/**
 * `pretrain`'s explanation of an exhausted wasm heap (the same detection as
 * `finetune`'s): a training pass holds `batch_size` images of every training
 * domain, so `batch_size` is the setting that bounds it; evaluation runs in
 * fixed small batches.
 */
import type { TaskError } from "@dropline/task";
import { halved, wasmHeapExhausted } from "../_shared/wasm_heap.ts";

/**
 * A `TaskError` naming `batch_size` when the wasm heap ran out, else `undefined`.
 *
 * @example
 * ```ts
 * await trainResumably(ctx, trainable, config).catch((error) => {
 *   throw pretrainHeapExhausted(error, { backend: "wasm", batchSize: 64, domains: 2 }) ?? error;
 * });
 * ```
 */
export function pretrainHeapExhausted(
  error: unknown,
  run: { backend: string; batchSize: number; domains: number },
): TaskError | undefined {
  return wasmHeapExhausted(error, {
    backend: run.backend,
    pass: run.batchSize * run.domains,
    remedy: `Set \`batch_size\` lower (e.g. ${halved(run.batchSize)}; a step's pass holds ` +
      `\`batch_size\` images of each of the ${run.domains} training domains)`,
  });
}
