/**
 * A backbone with a head as a {@link Trainable}. TF.js computes gradients of
 * the trained weights; their values live in plain arrays (the optimiser's and
 * the checkpoint's) and are written into the variables before each use.
 * Running statistics of BatchNorm layers on batch statistics are buffers:
 * plain arrays too, updated here after each step, saved with the checkpoint.
 *
 * Images are read from disk for each batch; a step's batch may be split into
 * micro-batches whose gradients add up to the batch's.
 */
import type * as TfCore from "@tensorflow/tfjs-core";
import type * as TfLayers from "@tensorflow/tfjs-layers";
import {
  applyDropout,
  domainPools,
  evaluationGroups,
  type Trainable,
  type Weights,
} from "@dropline/ml";
import type { Tf } from "@dropline/tensor";
import type { ImageSource } from "../_shared/image_source.ts";
import type { InputPlan } from "../_shared/extract_input.ts";
import { type BatchStats, type Network, runLayers } from "./_network_model.ts";
import { evalInput, type TrainInput, trainInput } from "./_network_input.ts";
import type { TrainedSet } from "./_trained_set.ts";

export interface NetworkTrainableOptions {
  input: TrainInput;
  microBatch: number | undefined;
  evalBatch: number;
}

/** Class probabilities of `rows` (rows x classes), in batches read from disk, in inference mode. */
export async function predictRows(
  tf: Tf,
  net: Network,
  source: ImageSource,
  plan: InputPlan,
  rows: Int32Array,
  batch: number,
): Promise<Float32Array> {
  const classes = net.logits.getConfig().units as number;
  const out = new Float32Array(rows.length * classes);
  for (let start = 0; start < rows.length; start += batch) {
    const part = rows.subarray(start, start + batch);
    const pixels = await source.read(part);
    const probs = tf.tidy(() =>
      net.full.apply(evalInput(tf, plan, pixels, part.length), { training: false }) as TfCore.Tensor
    );
    out.set(await probs.data() as Float32Array, start * classes);
    probs.dispose();
  }
  return out;
}

export function networkTrainable(
  tf: Tf,
  net: Network,
  source: ImageSource,
  roles: { trainDomains: number[]; testDomains: number[] },
  initial: Weights,
  set: TrainedSet,
  options: NetworkTrainableOptions,
): Trainable {
  const all = net.full.weights;
  const buffers = set.stats.flatMap((s) => [s.mean, s.variance]);
  const indices = [...set.params.map((p) => p.index), ...buffers];
  const params = indices.map((i) => initial[i]!.values.slice());
  const vars = set.params.map((p) => all[p.index]!);
  const sync = () =>
    indices.forEach((index, k) => {
      const v = all[index]!;
      const t = tf.tensor(params[k]!.slice(), v.shape as number[]);
      v.write(t);
      t.dispose();
    });
  const step = stepFunction(tf, net, set, vars, options);
  const groups = evaluationGroups({
    ...source.rows,
    dimension: 0,
    features: new Float32Array(),
    domainNames: source.domains,
  }, roles);
  return {
    params,
    infos: [
      ...set.params.map((p) => ({
        size: initial[p.index]!.values.length,
        role: p.role,
        initial: initial[p.index]!.values,
      })),
      ...buffers.map((i) => ({ size: initial[i]!.values.length, role: "buffer" as const })),
    ],
    pools: domainPools(source.rows.domains, source.rows.split, roles.trainDomains, 0),
    async gradients(rows, rate, rng, stepIndex) {
      const pixels = await source.read(rows);
      sync();
      const n = rows.length;
      const mask = rate > 0
        ? applyDropout(new Float32Array(n * net.dimension).fill(1), rate, rng)
        : null;
      const labels = Int32Array.from(rows, (r) => source.rows.labels[r]!);
      const result = await step(pixels, labels, mask, stepIndex);
      set.stats.forEach((s, k) => {
        const base = set.params.length + 2 * k;
        updateRunning(params[base]!, result.stats[k]!.mean, s.momentum);
        updateRunning(params[base + 1]!, result.stats[k]!.variance, s.momentum);
      });
      return {
        loss: result.loss,
        correct: result.correct,
        grads: [...result.grads, ...buffers.map(() => new Float32Array(0))],
      };
    },
    async evaluate() {
      sync();
      const metrics: Record<string, number> = {};
      let val = 0, valLoss = 0, test = 0;
      for (const g of groups) {
        const probs = await predictRows(
          tf,
          net,
          source,
          options.input.plan,
          g.rows,
          options.evalBatch,
        );
        const { acc, nll } = scoreRows(probs, g.rows, source.rows.labels, source.classes.length);
        metrics[`acc_${source.domains[g.domain]}`] = acc;
        if (roles.trainDomains.includes(g.domain)) {
          val += acc / roles.trainDomains.length;
          valLoss += nll / roles.trainDomains.length;
        } else test += acc / roles.testDomains.length;
      }
      metrics.val_loss = valLoss;
      if (roles.testDomains.length) metrics.test_acc = test;
      return { val, metrics };
    },
  };
}

/** Accuracy and mean negative log-likelihood of the true class. */
export function scoreRows(
  probs: Float32Array,
  rows: Int32Array,
  labels: Int32Array,
  classes: number,
): { acc: number; nll: number } {
  if (rows.length === 0) return { acc: 0, nll: 0 };
  let correct = 0, nll = 0;
  rows.forEach((r, i) => {
    const label = labels[r]!;
    let best = 0;
    for (let c = 1; c < classes; c++) {
      if (probs[i * classes + c]! > probs[i * classes + best]!) best = c;
    }
    if (best === label) correct++;
    nll -= Math.log(Math.max(probs[i * classes + label]!, 1e-30));
  });
  return { acc: correct / rows.length, nll: nll / rows.length };
}

/** running = running * momentum + batch * (1 - momentum), as Keras's BatchNormalization. */
function updateRunning(running: Float32Array, batch: Float32Array, momentum: number): void {
  for (let j = 0; j < running.length; j++) {
    running[j] = running[j]! * momentum + batch[j]! * (1 - momentum);
  }
}

interface StepOutput {
  loss: number;
  correct: number;
  grads: Float32Array[];
  /** Per stats layer: the batch mean and unbiased variance (averaged over micro-batches). */
  stats: { mean: Float32Array; variance: Float32Array }[];
}

/** One step's loss, gradients and batch statistics, over micro-batches. */
function stepFunction(
  tf: Tf,
  net: Network,
  set: TrainedSet,
  vars: TfLayers.LayerVariable[],
  options: NetworkTrainableOptions,
) {
  const [kernel, bias] = net.logits.trainableWeights.map((v) => v.read());
  const tfVars = vars.map((v) => v.read() as TfCore.Variable);
  const statsNames = new Set(set.stats.map((s) => s.layer));
  const inputName = net.layers[0]!.name;
  const [h, w, c] = options.input.plan.from;
  const size = h * w * c, dim = net.dimension;
  const classes = net.logits.getConfig().units as number;
  // Reads are awaited: the webgpu backend cannot read tensors synchronously in Deno.
  return async (
    pixels: Uint8Array,
    labels: Int32Array,
    mask: Float32Array | null,
    step: number,
  ): Promise<StepOutput> => {
    const n = labels.length, chunk = Math.min(options.microBatch ?? n, n);
    const grads = vars.map((v) => new Float32Array(sizeOf(v)));
    const stats = set.stats.map((s) => ({
      mean: new Float32Array(sizeOf(net.full.weights[s.mean]!)),
      variance: new Float32Array(sizeOf(net.full.weights[s.variance]!)),
    }));
    let loss = 0, correct = 0;
    for (let start = 0; start < n; start += chunk) {
      const m = Math.min(chunk, n - start);
      const share = m / n;
      // The frozen front of the network runs outside the tape: no activations are kept for it.
      const known = new Map(Object.entries(tf.tidy(() => {
        const part = pixels.subarray(start * size, (start + m) * size);
        const x = trainInput(tf, options.input, part, m, step, start);
        const outputs = runLayers(tf, net, new Map([[inputName, x]]), 1, { to: set.firstTrained });
        return frontier(net, outputs, set.firstTrained);
      })));
      const batchStats = new Map<string, BatchStats>();
      let predicted: TfCore.Tensor | undefined;
      const { value, grads: g } = tf.variableGrads(() => {
        const outputs = runLayers(tf, net, known, set.firstTrained, {
          batchStats: statsNames,
          onBatchStats: (name, s) => batchStats.set(name, s),
        });
        let rep = outputs.get(net.layer) as TfCore.Tensor2D;
        if (mask) {
          rep = tf.mul(rep, tf.tensor2d(mask.subarray(start * dim, (start + m) * dim), [m, dim]));
        }
        const logits = tf.add(tf.matMul(rep, kernel as TfCore.Tensor2D), bias!);
        predicted = tf.keep(tf.argMax(logits, 1));
        const onehot = tf.oneHot(tf.tensor1d(labels.subarray(start, start + m), "int32"), classes);
        return tf.mul(tf.losses.softmaxCrossEntropy(onehot, logits), share) as TfCore.Scalar;
      }, tfVars);
      loss += (await value.data())[0]!;
      const pred = await predicted!.data();
      for (let i = 0; i < m; i++) if (pred[i] === labels[start + i]) correct++;
      for (const [k, v] of tfVars.entries()) {
        add(grads[k]!, await g[v.name]!.data() as Float32Array);
      }
      for (const [k, s] of set.stats.entries()) {
        const b = batchStats.get(s.layer)!;
        const bessel = b.count > 1 ? b.count / (b.count - 1) : 1;
        addScaled(stats[k]!.mean, await b.mean.data() as Float32Array, share);
        addScaled(stats[k]!.variance, await b.variance.data() as Float32Array, share * bessel);
        tf.dispose([b.mean, b.variance]);
      }
      tf.dispose([value, predicted!, ...Object.values(g), ...known.values()]);
    }
    return { loss, correct, grads, stats };
  };
}

function sizeOf(v: { shape: readonly (number | null)[] }): number {
  return v.shape.reduce((a: number, b) => a * (b ?? 1), 1);
}

/** The outputs of layers before `from` that layers from `from` on read (kept by the tidy). */
function frontier(
  net: Network,
  outputs: Map<string, TfCore.Tensor>,
  from: number,
): Record<string, TfCore.Tensor> {
  const needed = new Set(net.layers.slice(from).flatMap((l) => net.inputs.get(l.name)!));
  if (from >= net.layers.length) needed.add(net.layer);
  return Object.fromEntries([...outputs].filter(([name]) => needed.has(name)));
}

function add(into: Float32Array, values: Float32Array): void {
  for (let j = 0; j < into.length; j++) into[j]! += values[j]!;
}

function addScaled(into: Float32Array, values: Float32Array, scale: number): void {
  for (let j = 0; j < into.length; j++) into[j]! += values[j]! * scale;
}
