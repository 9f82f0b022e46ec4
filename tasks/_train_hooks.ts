/** Connects the training loop to a task context: metrics, progress, interruption. */
import type { TrainHooks } from "../lib/ml/train_loop.ts";
import type { TaskContext } from "../lib/task.ts";

export function trainHooks(ctx: TaskContext<unknown>, steps: number): TrainHooks {
  const started = performance.now();
  let startStep: number | undefined;
  return {
    metrics: (record) => ctx.metrics(record),
    progress(step, record) {
      startStep ??= step;
      const rate = (step - startStep) / ((performance.now() - started) / 1000);
      const val = record.val_acc === undefined ? "" : ` val ${(100 * record.val_acc).toFixed(1)}%`;
      const note = `loss ${record.loss?.toFixed(3) ?? "-"}${val}${
        rate > 0 ? ` ${rate.toFixed(0)} steps/s` : ""
      }`;
      ctx.progress({ done: step, total: steps, unit: "steps", note });
    },
    signal: ctx.signal,
  };
}
