import assert from "node:assert/strict";
import type * as TfCore from "@tensorflow/tfjs-core";
import { readDataset, readFeatures } from "@dropline/ml";
import { loadLayersModelFromDir, loadTensorRuntime } from "@dropline/tensor";
import { TaskError } from "@dropline/task";
import { makeTestContext, runTask } from "../../tests/support/test_context.ts";
import { saveTinyLayersModel, tinyGraphModelFiles } from "../../tests/support/tiny_model.ts";
import { writeBackboneJson, writeTinyDataset } from "../_testing/extract_fixtures.ts";
import backbone from "../backbone/mod.ts";
import extractFeatures from "./mod.ts";

// The cpu backend is exact and independent of the wasm kernels; later `auto` loads reuse it.
const rt = await loadTensorRuntime({ backend: "cpu", log: () => {} });
const { tf } = rt;

const roots: string[] = [];
globalThis.addEventListener("unload", () => {
  for (const dir of roots) Deno.removeSync(dir, { recursive: true });
});
const temp = async (prefix: string) => {
  const dir = await Deno.makeTempDir({ prefix });
  roots.push(dir);
  return dir;
};

/** A tiny Layers CNN (conv -> "features" pooling -> "logits") fetched by the backbone task. */
async function layersBackbone(): Promise<string> {
  const model = await temp("dropline-tiny-model-");
  await saveTinyLayersModel(model, { inputSize: [8, 8], channels: 3 });
  const fetched = await runTask(backbone, { url: model, preprocessing: "imagenet" });
  roots.push(fetched.root);
  return fetched.outDir;
}

async function graphBackbone(): Promise<string> {
  const dir = await temp("dropline-tiny-graph-");
  for (const [name, body] of Object.entries(tinyGraphModelFiles())) {
    if (typeof body === "string") await Deno.writeTextFile(`${dir}/${name}`, body);
    else await Deno.writeFile(`${dir}/${name}`, body);
  }
  await writeBackboneJson(dir, { modelFormat: "graph", inputSize: [4, 4] });
  return dir;
}

const layersDir = await layersBackbone();
const rgbData = await writeTinyDataset({ shape: [8, 8, 3], perClass: 4 }); // 24 images

Deno.test("extract_features writes the cut layer's outputs, equal to a direct predict", async () => {
  const before = tf.memory().numTensors;
  await using run = await runTask(extractFeatures, {
    backbone: layersDir,
    dataset: rgbData,
    batch_size: 5,
  });
  assert.equal(tf.memory().numTensors, before, "no tensor outlives the stage");
  const features = await readFeatures(run.outDir);
  const data = await readDataset(rgbData);
  assert.equal(features.info.layer, "features");
  assert.equal(features.info.dimension, 4);
  assert.equal(features.info.count, 24);
  assert.deepEqual(features.labels, data.labels);
  assert.deepEqual(features.split, data.split);
  assert.deepEqual(features.info.counts, data.info.counts);
  assert.deepEqual(features.info.preprocessing.mean, [0.485, 0.456, 0.406]);
  const expected = await directFeatures(layersDir, rgbData, "features");
  assert.equal(features.features.length, expected.length);
  expected.forEach((v, i) => assert.ok(Math.abs(v - features.features[i]!) < 1e-5, `value ${i}`));
  assert.deepEqual(run.progress.at(-1)?.done, 24);
  assert.equal(run.progress.at(-1)?.unit, "images");
  assert.match(run.progress.at(-1)?.note ?? "", /images\/s$/);
});

/** The model's `layer` output on ImageNet-normalised images, computed independently. */
async function directFeatures(dir: string, dataset: string, layer: string) {
  const model = await loadLayersModelFromDir(rt, dir);
  const data = await readDataset(dataset);
  const reader = await data.openImages();
  const pixels = (await reader.readRows(0, data.info.count)).data as Uint8Array;
  reader.close();
  const [mean, std] = [[0.485, 0.456, 0.406], [0.229, 0.224, 0.225]];
  const x = Float32Array.from(pixels, (v, i) => (v / 255 - mean[i % 3]!) / std[i % 3]!);
  const cut = tf.model({ inputs: model.inputs, outputs: model.getLayer(layer).output as never });
  const out = tf.tidy(() =>
    cut.predict(tf.tensor4d(x, [data.info.count, 8, 8, 3])) as TfCore.Tensor
  );
  const values = await out.data() as Float32Array;
  out.dispose();
  model.dispose();
  return values;
}

Deno.test("extract_features runs a Graph model, resizing gray images and tiling them to RGB", async () => {
  const gray = await writeTinyDataset({ shape: [8, 8, 1], perClass: 2 });
  roots.push(gray);
  await using run = await runTask(extractFeatures, {
    backbone: await graphBackbone(),
    dataset: gray,
    batch_size: 4,
  });
  const features = await readFeatures(run.outDir);
  assert.equal(features.info.layer, "output");
  assert.equal(features.info.dimension, 2);
  const extraction = JSON.parse(await Deno.readTextFile(`${run.outDir}/features.json`)).extraction;
  assert.equal(extraction.channels, "tile");
  assert.equal(extraction.resize, "bilinear");
  // Halving the size averages 2x2 blocks, so each channel's mean is the image's mean m;
  // the graph multiplies [m, m, m] by [[1, 2], [3, 4], [5, 6]].
  const data = await readDataset(gray);
  const reader = await data.openImages();
  const pixels = (await reader.readRows(0, data.info.count)).data as Uint8Array;
  reader.close();
  for (let i = 0; i < data.info.count; i++) {
    const m = pixels.subarray(i * 64, (i + 1) * 64).reduce((a, b) => a + b, 0) / 64 / 255;
    assert.ok(Math.abs(features.features[2 * i]! - 9 * m) < 1e-4, `row ${i}`);
    assert.ok(Math.abs(features.features[2 * i + 1]! - 12 * m) < 1e-4, `row ${i}`);
  }
});

Deno.test("extract_features cuts at any named layer and flattens spatial outputs", async () => {
  await using run = await runTask(extractFeatures, {
    backbone: layersDir,
    dataset: rgbData,
    layer: "conv",
    pool: "flatten",
  });
  const features = await readFeatures(run.outDir);
  assert.equal(features.info.layer, "conv");
  assert.equal(features.info.dimension, 8 * 8 * 4);
  const averaged = await runTask(extractFeatures, {
    backbone: layersDir,
    dataset: rgbData,
    layer: "conv",
  });
  roots.push(averaged.root);
  assert.equal((await readFeatures(averaged.outDir)).info.dimension, 4);
});

Deno.test("extract_features names the available layers when the layer is missing", async () => {
  await assert.rejects(
    runTask(extractFeatures, { backbone: layersDir, dataset: rgbData, layer: "pool5" }),
    (error: Error) => {
      assert.ok(error instanceof TaskError);
      assert.match(error.message, /has no layer "pool5"; its layers are: .*conv, features, logits/);
      return true;
    },
  );
  await assert.rejects(
    runTask(extractFeatures, { backbone: await graphBackbone(), dataset: rgbData, layer: "pool5" }),
    /has no node "pool5"; its nodes are: input, pooled, output/,
  );
});

Deno.test("extract_features refuses images whose channels do not fit the backbone", async () => {
  const twoChannels = await writeTinyDataset({ shape: [8, 8, 2], perClass: 1 });
  roots.push(twoChannels);
  await assert.rejects(
    runTask(extractFeatures, { backbone: layersDir, dataset: twoChannels }),
    (error: Error) =>
      error instanceof TaskError &&
      /Cannot feed 2-channel images to a backbone that expects 3/.test(error.message),
  );
  await assert.rejects(
    runTask(extractFeatures, { backbone: rgbData, dataset: rgbData }),
    /Missing ".*backbone.json"/,
  );
});

Deno.test("extract_features stops between batches when the stage is interrupted", async () => {
  const controller = new AbortController();
  const params = extractFeatures.schema.parse({
    backbone: layersDir,
    dataset: rgbData,
    batch_size: 4,
  });
  await using t = await makeTestContext(params, { signal: controller.signal });
  t.ctx.progress = (p) => {
    t.progress.push(p);
    controller.abort();
  };
  await assert.rejects(extractFeatures.run(t.ctx), /Interrupted/);
  assert.deepEqual(t.progress.map((p) => p.done), [4]);
});
