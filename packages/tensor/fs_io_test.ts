import assert from "node:assert/strict";
import { loadTensorRuntime } from "./runtime.ts";
import {
  directoryIO,
  loadGraphModelFromDir,
  loadLayersModelFromDir,
  MODEL_JSON,
  saveModelToDir,
  WEIGHTS_BIN,
} from "./fs_io.ts";
import { groupNorm } from "./group_norm.ts";

const rt = await loadTensorRuntime({ log: () => {} });
const { tf } = rt;

Deno.test("saveModelToDir() and loadLayersModelFromDir() round-trip a model with group norm", async () => {
  const dir = await Deno.makeTempDir();
  const model = tf.sequential({
    layers: [
      tf.layers.conv2d({ filters: 8, kernelSize: 3, padding: "same", inputShape: [6, 6, 2] }),
      groupNorm(tf, { groups: 4, name: "gn" }),
      tf.layers.globalAveragePooling2d({}),
      tf.layers.dense({ units: 3 }),
    ],
  });
  // Non-default weights prove the values, not just the shapes, survive.
  model.getLayer("gn").setWeights([tf.fill([8], 1.5), tf.fill([8], -0.25)]);
  await saveModelToDir(model, `${dir}/model`);
  const names = [...Deno.readDirSync(`${dir}/model`)].map((e) => e.name).sort();
  assert.deepEqual(names, [MODEL_JSON, WEIGHTS_BIN]);

  const loaded = await loadLayersModelFromDir(rt, `${dir}/model`);
  const x = tf.randomNormal([2, 6, 6, 2]);
  const a = (model.predict(x) as InstanceType<typeof tf.Tensor>).dataSync();
  const b = (loaded.predict(x) as InstanceType<typeof tf.Tensor>).dataSync();
  assert.deepEqual(Array.from(b), Array.from(a));
  assert.equal(loaded.getLayer("gn").getConfig().groups, 4);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("directoryIO() reports a missing model.json by path", async () => {
  const dir = await Deno.makeTempDir();
  await assert.rejects(tf.loadLayersModel(directoryIO(dir)), /model\.json" does not exist/);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("directoryIO() refuses weight paths that leave the model directory", async () => {
  const dir = await Deno.makeTempDir();
  const json = { modelTopology: {}, weightsManifest: [{ paths: ["../secret.bin"], weights: [] }] };
  await Deno.writeTextFile(`${dir}/${MODEL_JSON}`, JSON.stringify(json));
  await assert.rejects(directoryIO(dir).load!(), /"\.\.\/secret\.bin" .* leaves its directory/);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("loadGraphModelFromDir() loads a converter-format graph model with weight shards", async () => {
  const dir = await Deno.makeTempDir();
  const dim = (n: number) => ({ size: String(n) });
  const float = { type: "DT_FLOAT" };
  const nodes = [
    {
      name: "x",
      op: "Placeholder",
      attr: { dtype: float, shape: { shape: { dim: [dim(-1), dim(2)] } } },
    },
    {
      name: "w",
      op: "Const",
      attr: {
        dtype: float,
        value: { tensor: { dtype: "DT_FLOAT", tensorShape: { dim: [dim(2), dim(2)] } } },
      },
    },
    {
      name: "y",
      op: "MatMul",
      input: ["x", "w"],
      attr: { T: float, transpose_a: { b: false }, transpose_b: { b: false } },
    },
  ];
  const manifest = [{
    paths: ["group1-shard1of2.bin", "group1-shard2of2.bin"],
    weights: [{ name: "w", shape: [2, 2], dtype: "float32" }],
  }];
  const json = {
    format: "graph-model",
    modelTopology: { node: nodes, versions: {} },
    weightsManifest: manifest,
  };
  await Deno.writeTextFile(`${dir}/${MODEL_JSON}`, JSON.stringify(json));
  const w = new Uint8Array(new Float32Array([1, 2, 3, 4]).buffer);
  await Deno.writeFile(`${dir}/group1-shard1of2.bin`, w.slice(0, 6));
  await Deno.writeFile(`${dir}/group1-shard2of2.bin`, w.slice(6));
  const model = await loadGraphModelFromDir(rt, dir);
  const y = model.predict(tf.tensor2d([[1, 1]])) as InstanceType<typeof tf.Tensor>;
  assert.deepEqual(Array.from(y.dataSync()), [4, 6]);
  await Deno.remove(dir, { recursive: true });
});
