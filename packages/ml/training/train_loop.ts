/**
 * The fine-tuning loop shared by the feature-head and backbone paths: per
 * step, a batch from each training domain, the scheduled dropout rate and
 * learning rate, one optimiser update; every `evalEvery` steps an evaluation,
 * training-domain validation of the checkpoint, and a resumable checkpoint.
 *
 * Everything random comes from one seeded generator whose state is part of
 * the checkpoint, so a run resumed from its last checkpoint ends with the same
 * bits as an uninterrupted one. Effects (saving, metrics, progress) are hooks.
 *
 * @example
 * ```ts
 * const final = await trainLoop(trainable, config, {
 *   resume: await loadCheckpoint(dir),
 *   save: (state) => saveCheckpoint(dir, state),
 *   metrics: ctx.metrics,
 * });
 * ```
 */
import { dropoutRate, type DropoutSchedule } from "./dropout_schedule.ts";
import { learningRate, type LrSchedule } from "./lr_schedule.ts";
import {
  Optimizer,
  type OptimizerOptions,
  type OptimizerState,
  type ParamInfo,
} from "./optimizer.ts";
import { Prng } from "../prng.ts";
import { sampleBatch } from "./sampler.ts";

export interface TrainConfig {
  steps: number;
  evalEvery: number;
  /** How often loss, train accuracy, lr and dropout are recorded (default: every 10 steps). */
  logEvery?: number;
  batchPerDomain: number;
  dropout: number;
  schedule: DropoutSchedule;
  lr: LrSchedule;
  optimizer: OptimizerOptions;
  seed: number;
}

/** What the loop trains: parameters it may update and how to get gradients and scores. */
export interface Trainable {
  /** Current values, updated in place. */
  params: Float32Array[];
  infos: ParamInfo[];
  /** In-split row indices of each training domain. */
  pools: Int32Array[];
  /**
   * Loss, correct count and gradients on `rows`, with dropout `rate` drawn from `rng`, at 0-based
   * `step` (what per-step randomness such as data augmentation is seeded with). A `buffer`
   * parameter gets an empty gradient: the trainable updates it itself (running statistics).
   */
  gradients(
    rows: Int32Array,
    rate: number,
    rng: Prng,
    step: number,
  ): Promise<StepResult> | StepResult;
  /** Scores of the current parameters: `val` selects checkpoints; `metrics` are logged. */
  evaluate(): Promise<Evaluation> | Evaluation;
}

export interface StepResult {
  loss: number;
  correct: number;
  grads: Float32Array[];
}

export interface Evaluation {
  val: number;
  metrics: Record<string, number>;
}

export type MetricRecord = { step: number } & Record<string, number>;

/** Everything needed to continue a run. */
export interface TrainState {
  step: number;
  rng: number[];
  optimizer: OptimizerState;
  params: Float32Array[];
  best: { step: number; val: number; params: Float32Array[] } | null;
  /** Loss sum, correct count and example count since the last logged record. */
  window: [number, number, number];
  records: MetricRecord[];
}

export interface TrainHooks {
  resume?: TrainState | null;
  save?(state: TrainState): Promise<void>;
  metrics?(record: MetricRecord): void;
  progress?(step: number, record: MetricRecord): void;
  signal?: AbortSignal;
}

/** Runs (or continues) training to `config.steps`; returns the final state. */
export async function trainLoop(
  trainable: Trainable,
  config: TrainConfig,
  hooks: TrainHooks = {},
): Promise<TrainState> {
  const state = hooks.resume ?? initialState(trainable, config);
  if (hooks.resume) state.params.forEach((p, i) => trainable.params[i]!.set(p));
  state.params = trainable.params;
  const optimizer = new Optimizer(config.optimizer, trainable.infos, state.optimizer);
  const rng = Prng.fromState(state.rng);
  const logEvery = config.logEvery ?? 10;
  if (state.step === 0 && state.records.length === 0) {
    await evaluateInto(trainable, state, { step: 0 }, hooks);
  }
  while (state.step < config.steps) {
    hooks.signal?.throwIfAborted();
    const rate = dropoutRate(config.dropout, config.schedule, state.step);
    const lr = learningRate(config.lr, state.step);
    const rows = sampleBatch(trainable.pools, config.batchPerDomain, rng);
    const result = await trainable.gradients(rows, rate, rng, state.step);
    if (!Number.isFinite(result.loss)) {
      throw new RangeError(`Loss is "${result.loss}" at step "${state.step}"`);
    }
    optimizer.step(trainable.params, result.grads, lr);
    state.window = [
      state.window[0] + result.loss * rows.length,
      state.window[1] + result.correct,
      state.window[2] + rows.length,
    ];
    state.step++;
    const evalNow = state.step % config.evalEvery === 0 || state.step === config.steps;
    if (state.step % logEvery !== 0 && !evalNow) continue;
    const record: MetricRecord = { step: state.step, ...windowMetrics(state), lr, dropout: rate };
    state.window = [0, 0, 0];
    if (!evalNow) {
      emit(state, record, hooks);
      continue;
    }
    state.rng = rng.state();
    state.optimizer = optimizer.state();
    await evaluateInto(trainable, state, record, hooks);
  }
  return state;
}

function initialState(trainable: Trainable, config: TrainConfig): TrainState {
  return {
    step: 0,
    rng: Prng.fromSeed(config.seed).state(),
    optimizer: new Optimizer(config.optimizer, trainable.infos).state(),
    params: trainable.params,
    best: null,
    window: [0, 0, 0],
    records: [],
  };
}

function windowMetrics(state: TrainState): { loss: number; train_acc: number } {
  const [loss, correct, count] = state.window;
  return { loss: loss / count, train_acc: correct / count };
}

/** Evaluates, keeps the best checkpoint by validation score (earliest on ties), saves. */
async function evaluateInto(
  trainable: Trainable,
  state: TrainState,
  record: MetricRecord,
  hooks: TrainHooks,
) {
  const evaluation = await trainable.evaluate();
  Object.assign(record, evaluation.metrics, { val_acc: evaluation.val });
  if (!state.best || evaluation.val > state.best.val) {
    state.best = {
      step: state.step,
      val: evaluation.val,
      params: trainable.params.map((p) => p.slice()),
    };
  }
  emit(state, record, hooks);
  await hooks.save?.(state);
}

function emit(state: TrainState, record: MetricRecord, hooks: TrainHooks): void {
  state.records.push(record);
  hooks.metrics?.(record);
  hooks.progress?.(state.step, record);
}
