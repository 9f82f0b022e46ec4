/**
 * A whole backbone with its head as a {@link Trainable}: TF.js computes the
 * gradients of every weight; the values live in plain arrays (the optimiser's
 * and the checkpoint's) and are written into the variables before each use.
 * Evaluation scores each training domain's out-split.
 */
import type * as TfCore from "@tensorflow/tfjs-core";
import type * as TfLayers from "@tensorflow/tfjs-layers";
import { domainPools, type Trainable, type Weights } from "@dropline/ml";
import type { Tf } from "@dropline/tensor";
import { inputBatch, type InputPlan } from "../_shared/extract_input.ts";
import type { DomainImages } from "./_pretrain_data.ts";

const EVAL_BATCH = 256;

/** A trainable whose `sync()` writes the current values into the model. */
export interface BackboneTrainable extends Trainable {
  sync(): void;
}

/**
 * Wraps `model` (whose trainable weights start at `initial`) for the training loop.
 *
 * @example
 * ```ts
 * const trainable = backboneTrainable(tf, model, data, plan, [0, 1], initial);
 * const state = await trainLoop(trainable, config);
 * ```
 */
export function backboneTrainable(
  tf: Tf,
  model: TfLayers.LayersModel,
  data: DomainImages,
  plan: InputPlan,
  trainDomains: number[],
  initial: Weights,
): BackboneTrainable {
  const vars = model.trainableWeights;
  const params = initial.map((w) => w.values.slice());
  const pixels = (rows: Int32Array) => gatherImages(data, rows);
  const variables = () => vars.map((v) => v.read() as TfCore.Variable);
  const sync = () =>
    vars.forEach((v, k) => {
      const t = tf.tensor(params[k]!, v.shape as number[]);
      v.write(t);
      t.dispose();
    });
  return {
    params,
    infos: vars.map((v, k) => ({
      size: params[k]!.length,
      role: v.originalName.startsWith("head/") ? "head" : "backbone",
    })),
    pools: domainPools(data.domains, data.split, trainDomains, 0),
    sync,
    gradients(rows) {
      sync();
      const labels = Int32Array.from(rows, (r) => data.labels[r]!);
      let predicted: TfCore.Tensor | undefined;
      const { value, grads } = tf.variableGrads(() => {
        const x = inputBatch(tf, plan, pixels(rows), rows.length);
        const logits = model.apply(x, { training: true }) as TfCore.Tensor2D;
        predicted = tf.keep(tf.argMax(logits, 1));
        const onehot = tf.oneHot(tf.tensor1d(labels, "int32"), data.classes.length);
        return tf.losses.softmaxCrossEntropy(onehot, logits) as TfCore.Scalar;
      }, variables());
      const loss = value.dataSync()[0]!;
      const pred = predicted!.dataSync();
      const out = variables().map((v) => Float32Array.from(grads[v.name]!.dataSync()));
      tf.dispose([value, predicted!, ...Object.values(grads)]);
      return { loss, correct: labels.filter((l, i) => pred[i] === l).length, grads: out };
    },
    evaluate() {
      sync();
      const metrics: Record<string, number> = {};
      const scores: number[] = [];
      for (const [d, rows] of trainDomains.map((d) => [d, outRows(data, d)] as const)) {
        if (rows.length === 0) continue;
        const predictions = predictRows(tf, model, plan, pixels, rows);
        const acc = predictions.filter((p, i) => p === data.labels[rows[i]!]).length / rows.length;
        metrics[`acc_${data.domainNames[d]}`] = acc;
        scores.push(acc);
      }
      const val = scores.length ? scores.reduce((a, b) => a + b, 0) / scores.length : 0;
      return { val, metrics };
    },
  };
}

function outRows(data: DomainImages, domain: number): Int32Array {
  return domainPools(data.domains, data.split, [domain], 1)[0]!;
}

/** Arg-max class of each row, in batches, in inference mode. */
function predictRows(
  tf: Tf,
  model: TfLayers.LayersModel,
  plan: InputPlan,
  pixels: (rows: Int32Array) => Uint8Array,
  rows: Int32Array,
): Int32Array {
  const out = new Int32Array(rows.length);
  for (let start = 0; start < rows.length; start += EVAL_BATCH) {
    const batch = rows.subarray(start, start + EVAL_BATCH);
    const classes = tf.tidy(() => {
      const x = inputBatch(tf, plan, pixels(batch), batch.length);
      return tf.argMax(model.apply(x, { training: false }) as TfCore.Tensor, 1);
    });
    out.set(classes.dataSync() as Int32Array, start);
    classes.dispose();
  }
  return out;
}

/** The listed rows' pixels, back to back. */
function gatherImages(data: DomainImages, rows: Int32Array): Uint8Array {
  const size = data.shape[0] * data.shape[1] * data.shape[2];
  const out = new Uint8Array(rows.length * size);
  rows.forEach((r, k) => out.set(data.images.subarray(r * size, (r + 1) * size), k * size));
  return out;
}
