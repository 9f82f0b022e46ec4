/**
 * A backbone with a head as a {@link Trainable}: TF.js computes gradients of
 * the chosen variables; parameter values live in plain arrays (the optimiser's
 * and the checkpoint's) and are written into the variables before each use.
 */
import type * as TfCore from "@tensorflow/tfjs-core";
import {
  applyDropout,
  domainPools,
  evaluationGroups,
  type Trainable,
  type Weights,
} from "@dropline/ml";
import type { Tf } from "@dropline/tensor";
import { imageBatch, type ImageRows } from "../_shared/image_rows.ts";
import type { Network } from "./_network_model.ts";

const EVAL_BATCH = 256;

/** Arg-max class of each row, in batches, with the body in inference mode. */
export function predictRows(
  tf: Tf,
  net: Network,
  data: ImageRows,
  rows: Int32Array,
  pre: Network["info"]["preprocessing"],
): Int32Array {
  const out = new Int32Array(rows.length);
  for (let start = 0; start < rows.length; start += EVAL_BATCH) {
    const batch = rows.subarray(start, start + EVAL_BATCH);
    const classes = tf.tidy(() => {
      const x = imageBatch(tf, data, batch, pre);
      return tf.argMax(net.full.apply(x, { training: false }) as TfCore.Tensor, 1);
    });
    out.set(classes.dataSync() as Int32Array, start);
    classes.dispose();
  }
  return out;
}

export function networkTrainable(
  tf: Tf,
  net: Network,
  data: ImageRows,
  roles: { trainDomains: number[]; testDomains: number[] },
  initial: Weights,
  trainIdx: number[],
): Trainable {
  const all = net.full.weights;
  const vars = trainIdx.map((i) => all[i]!);
  const headIds = new Set(net.logits.trainableWeights.map((v) => v.id));
  const params = trainIdx.map((i) => initial[i]!.values.slice());
  const sync = () =>
    vars.forEach((v, k) => {
      const t = tf.tensor(params[k]!.slice(), v.shape as number[]);
      v.write(t);
      t.dispose();
    });
  const [kernel, bias] = net.logits.trainableWeights.map((v) => v.read());
  const groups = evaluationGroups({
    ...data,
    domains: data.domainIds,
    dimension: 0,
    features: new Float32Array(),
    domainNames: data.domains,
  }, roles);
  return {
    params,
    infos: trainIdx.map((i, k) => ({
      size: params[k]!.length,
      role: headIds.has(all[i]!.id) ? "head" : "backbone",
      initial: initial[i]!.values,
    })),
    pools: domainPools(data.domainIds, data.split, roles.trainDomains, 0),
    gradients(rows, rate, rng) {
      sync();
      const n = rows.length;
      const mask = rate > 0
        ? applyDropout(new Float32Array(n * net.dimension).fill(1), rate, rng)
        : null;
      const labels = Int32Array.from(rows, (r) => data.labels[r]!);
      let predicted: TfCore.Tensor | undefined;
      const { value, grads } = tf.variableGrads(() => {
        const x = imageBatch(tf, data, rows, net.info.preprocessing);
        let rep = net.body.apply(x, { training: false }) as TfCore.Tensor2D;
        if (mask) rep = tf.mul(rep, tf.tensor2d(mask, [n, net.dimension]));
        const logits = tf.add(tf.matMul(rep, kernel as TfCore.Tensor2D), bias!);
        predicted = tf.keep(tf.argMax(logits, 1));
        return tf.losses.softmaxCrossEntropy(
          tf.oneHot(tf.tensor1d(labels, "int32"), data.classes.length),
          logits,
        ) as TfCore.Scalar;
      }, vars.map((v) => v.read() as TfCore.Variable));
      const loss = value.dataSync()[0]!;
      const pred = predicted!.dataSync();
      const out = vars.map((v) =>
        Float32Array.from(grads[(v.read() as TfCore.Variable).name]!.dataSync())
      );
      tf.dispose([value, predicted!, ...Object.values(grads)]);
      return { loss, correct: labels.filter((l, i) => pred[i] === l).length, grads: out };
    },
    evaluate() {
      sync();
      const metrics: Record<string, number> = {};
      let val = 0, test = 0;
      for (const g of groups) {
        const predictions = predictRows(tf, net, data, g.rows, net.info.preprocessing);
        const acc = g.rows.length
          ? predictions.filter((p, i) => p === data.labels[g.rows[i]!]).length / g.rows.length
          : 0;
        metrics[`acc_${data.domains[g.domain]}`] = acc;
        if (roles.trainDomains.includes(g.domain)) val += acc / roles.trainDomains.length;
        else test += acc / roles.testDomains.length;
      }
      if (roles.testDomains.length) metrics.test_acc = test;
      return { val, metrics };
    },
  };
}
