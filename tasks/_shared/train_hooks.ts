/** Connects the training loop to a task context: metrics, progress, interruption, checkpoints. */
import {
  loadCheckpoint,
  saveCheckpoint,
  type Trainable,
  type TrainConfig,
  type TrainHooks,
  trainLoop,
  type TrainState,
} from "@dropline/ml";
import type { TaskContext } from "@dropline/task";

/**
 * Trains to `config.steps`, resuming from the stage's last checkpoint when
 * there is one and checkpointing into `ctx.checkpointDir` as it goes.
 *
 * @example
 * ```ts
 * const state = await trainResumably(ctx, trainable, config);
 * ```
 */
export async function trainResumably(
  ctx: TaskContext<unknown>,
  trainable: Trainable,
  config: TrainConfig,
): Promise<TrainState> {
  const resume = await loadCheckpoint(ctx.checkpointDir);
  if (resume) ctx.log.info(`Resuming from the checkpoint at step ${resume.step}`);
  return await trainLoop(trainable, config, {
    resume,
    save: (s) => saveCheckpoint(ctx.checkpointDir, s),
    ...trainHooks(ctx, config.steps),
  });
}

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
      // Evaluations only: the log reads as the run's course, not a line per step.
      if (record.val_acc !== undefined) ctx.log.info(`Step ${step}/${steps}: ${note}`);
    },
    signal: ctx.signal,
  };
}
