import assert from "node:assert/strict";
import { headLogits, initHead, softmaxRows } from "../training/dense_head.ts";
import { headModelJson } from "./head_model_json.ts";
import { readModelDir, writeModelDir } from "./model_dir.ts";
import { modelMetaOf, withMeta } from "./model_meta.ts";
import { Prng } from "../prng.ts";
import { maxAbsDifference } from "./weights.ts";

const spec = { inputDim: 6, hidden: [5], classes: 3 };
const meta = {
  kind: "head" as const,
  classes: ["a", "b", "c"],
  domains: ["x", "y"],
  trainDomains: ["x"],
  testDomains: ["y"],
  start: "00",
  method: "finetune",
  params: { dropout: 0.9 },
};

Deno.test("writeModelDir() round-trips weights and metadata through readModelDir()", async () => {
  const dir = `${await Deno.makeTempDir()}/model`;
  const weights = initHead(spec, Prng.fromSeed(4));
  await writeModelDir(dir, withMeta(headModelJson(spec, 0.9), meta), weights);
  const back = await readModelDir(dir);
  assert.equal(maxAbsDifference(back.weights, weights), 0);
  assert.deepEqual(back.weights.map((w) => w.name), [
    "hidden_1/kernel",
    "hidden_1/bias",
    "logits/kernel",
    "logits/bias",
  ]);
  assert.deepEqual(modelMetaOf(back.json), meta);
});

Deno.test("a head written by writeModelDir() loads in TF.js and predicts the same probabilities", async () => {
  const tf = await import("@tensorflow/tfjs-core");
  const tfl = await import("@tensorflow/tfjs-layers");
  await import("@tensorflow/tfjs-backend-cpu");
  await tf.setBackend("cpu");
  const dir = `${await Deno.makeTempDir()}/model`;
  const weights = initHead(spec, Prng.fromSeed(5));
  for (const w of weights) {
    for (let j = 0; j < w.values.length; j++) w.values[j]! += 0.1 * Math.sin(j);
  }
  await writeModelDir(dir, headModelJson(spec, 0.9), weights);
  const json = JSON.parse(await Deno.readTextFile(`${dir}/model.json`));
  const data = await Deno.readFile(`${dir}/weights.bin`);
  const model = await tfl.loadLayersModel(tf.io.fromMemory({
    modelTopology: json.modelTopology,
    weightSpecs: json.weightsManifest[0].weights,
    weightData: data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength),
  }));
  const x = Float32Array.from({ length: 12 }, (_, i) => Math.cos(i));
  const ours = softmaxRows(headLogits(weights, x, 2), 3);
  const input = tf.tensor2d(x, [2, 6]);
  const output = model.predict(input) as import("@tensorflow/tfjs-core").Tensor;
  const theirs = await output.data();
  tf.dispose([input, output]);
  ours.forEach((p, i) => assert.ok(Math.abs(p - theirs[i]!) < 1e-5, `${p} vs ${theirs[i]}`));
});

Deno.test("readModelDir() explains a missing model", async () => {
  await assert.rejects(() => readModelDir(Deno.cwd() + "/nope"), /model.json is missing/);
});
