/**
 * The gradient check: SGD steps (momentum 0.9, coupled weight decay) on the
 * fixture's batch change the weights as PyTorch's `torch.optim.SGD` does.
 */
import assert from "node:assert/strict";
import { openSafetensors } from "@dropline/ml";
import { loadTensorRuntime } from "../runtime.ts";
import {
  fixtureArray,
  readFixtureJson,
  relativeError,
  RESNET_FIXTURES,
} from "../../../tests/support/resnet_fixture.ts";
import { resnet } from "./resnet.ts";
import { loadTorchResNetWeights, resnetSpecOf } from "./resnet_weights.ts";

const { tf } = await loadTensorRuntime({ log: () => {} });
type Tensor = InstanceType<typeof tf.Tensor>;
type Variable = InstanceType<typeof tf.Variable>;
const [inputs, sgd] = [await readFixtureJson("inputs.json"), await readFixtureJson("sgd.json")];

async function fixtureModel() {
  using source = await openSafetensors(`${RESNET_FIXTURES}${sgd.weights}`);
  const spec = resnetSpecOf("resnet18", source, source.metadata);
  const model = resnet(tf, spec);
  await loadTorchResNetWeights(tf, model, spec, source);
  return model;
}

/** The TF.js variable holding a PyTorch parameter, and how to bring its values to PyTorch's layout. */
function parameter(model: ReturnType<typeof resnet>, torchName: string) {
  const [, layerName = "", what] = torchName.match(/^(.*)\.(weight|bias)$/)!;
  const layer = model.getLayer(layerName);
  const className = layer.getClassName();
  const index = what === "weight" ? 0 : 1;
  const variable = layer.trainableWeights[index]!.read() as Variable;
  const toTorch = (t: Tensor) =>
    className === "Conv2D"
      ? tf.transpose(t, [3, 2, 0, 1])
      : className === "Dense" && what === "weight"
      ? tf.transpose(t)
      : tf.clone(t);
  return { variable, toTorch };
}

async function torchValues(t: Tensor, toTorch: (t: Tensor) => Tensor): Promise<Float32Array> {
  const out = toTorch(t);
  try {
    return await out.data() as Float32Array;
  } finally {
    out.dispose();
  }
}

for (const variant of ["bn_frozen", "bn_train"] as const) {
  Deno.test(`two SGD steps with ${variant.replace("_", " ")} change the weights as PyTorch does`, async () => {
    const { optimizer: opt, steps } = sgd.variants[variant];
    const training = variant === "bn_train";
    const model = await fixtureModel();
    const x = tf.tensor(
      ...Object.values(await fixtureArray(inputs.arrays[sgd.input])) as [Float32Array, number[]],
    );
    const y = tf.oneHot(tf.tensor1d(sgd.labels, "int32"), 10);
    const variables = model.trainableWeights.map((w) => w.read() as Variable);
    const optimizer = tf.train.momentum(opt.lr, opt.momentum);
    for (const step of steps) {
      const before = new Map(variables.map((v) => [v.name, tf.clone(v)]));
      const { value, grads } = tf.variableGrads(() => {
        // training=false: BatchNorm normalises with (and keeps) its running statistics.
        const logits = model.apply(x, { training }) as Tensor;
        return tf.losses.softmaxCrossEntropy(y, logits) as ReturnType<typeof tf.scalar>;
      }, variables);
      const loss = (await value.data())[0]!;
      assert.ok(
        Math.abs(loss - step.loss) / step.loss < 1e-4,
        `step ${step.step}: loss ${loss} vs ${step.loss}`,
      );
      // Coupled weight decay, as torch.optim.SGD: the gradient gets weight_decay * p.
      const decayed = Object.fromEntries(
        variables.map((v) => [v.name, tf.add(grads[v.name]!, tf.mul(v, opt.weight_decay))]),
      );
      for (const [name, entry] of Object.entries(step.grad)) {
        const { variable, toTorch } = parameter(model, name);
        const error = relativeError(
          await torchValues(grads[variable.name]!, toTorch),
          (await fixtureArray(entry as never)).data,
        );
        assert.ok(error < 1e-4, `step ${step.step}: grad of ${name}: relative error ${error}`);
      }
      optimizer.applyGradients(decayed);
      for (const [name, entry] of Object.entries(step.param ?? {})) {
        const { variable, toTorch } = parameter(model, name);
        const error = relativeError(
          await torchValues(variable, toTorch),
          (await fixtureArray(entry as never)).data,
        );
        assert.ok(
          error < 1e-4,
          `step ${step.step}: ${name} after the step: relative error ${error}`,
        );
      }
      for (const [name, entry] of Object.entries(step.update)) {
        const { variable, toTorch } = parameter(model, name);
        const delta = tf.sub(variable, before.get(variable.name)!);
        const error = relativeError(
          await torchValues(delta, toTorch),
          (await fixtureArray(entry as never)).data,
        );
        assert.ok(error < 3e-4, `step ${step.step}: update of ${name}: relative error ${error}`);
        delta.dispose();
      }
      if (step.running_stats) {
        await checkRunningStats(model, step.running_stats, training, step.step);
      }
      tf.dispose([value, ...Object.values(grads), ...Object.values(decayed), ...before.values()]);
    }
    tf.dispose([x, y]);
    optimizer.dispose();
    model.dispose();
  });
}

/**
 * Running statistics: frozen ones stay; trained ones follow PyTorch's mean. TF.js
 * averages the biased batch variance where PyTorch averages the unbiased one, so
 * variances agree only where a batch has many values per channel (bn1: 4096).
 */
async function checkRunningStats(
  model: ReturnType<typeof resnet>,
  stats: Record<string, Record<string, unknown>>,
  training: boolean,
  step: number,
) {
  for (const [layerName, entries] of Object.entries(stats)) {
    const [, , mean, variance] = model.getLayer(layerName).getWeights();
    const checks: [string, Tensor][] = [["running_mean", mean!]];
    if (!training || layerName === "bn1") checks.push(["running_var", variance!]);
    for (const [what, value] of checks) {
      const expected = await fixtureArray(entries[what] as never);
      const error = relativeError(await value.data(), expected.data);
      assert.ok(error < 1e-4, `step ${step}: ${layerName}.${what}: relative error ${error}`);
    }
  }
}
