import assert from "node:assert/strict";
import {
  defaultFeatureLayer,
  expectedWeightBytes,
  inputShapeOf,
  modelFormatOf,
} from "./_model_manifest.ts";
import { modelJsonUrl, weightUrl } from "./_model_url.ts";

const layer = (class_name: string, name: string, extra: Record<string, unknown> = {}) => ({
  class_name,
  config: { name, ...extra },
});
const layers = (...list: ReturnType<typeof layer>[]) => ({
  format: "layers-model",
  modelTopology: { class_name: "Sequential", config: { layers: list } },
});

Deno.test("defaultFeatureLayer() picks global pooling, else the input of the final dense layer", () => {
  const mobilenet = layers(
    layer("Conv2D", "conv1", { batch_input_shape: [null, 224, 224, 3] }),
    layer("GlobalAveragePooling2D", "global_average_pooling2d_1"),
    layer("Reshape", "reshape_1"),
    layer("Dropout", "dropout"),
    layer("Conv2D", "conv_preds"),
    layer("Activation", "act_softmax"),
  );
  assert.equal(defaultFeatureLayer(mobilenet), "global_average_pooling2d_1");
  assert.deepEqual(inputShapeOf(mobilenet), [224, 224, 3]);
  const mlp = layers(
    layer("Dense", "d1", { batch_input_shape: [null, 10] }),
    layer("Dense", "d2"),
    layer("Dropout", "drop"),
    layer("Dense", "out"),
  );
  assert.equal(defaultFeatureLayer(mlp), "d2");
  assert.equal(inputShapeOf(mlp), null);
  assert.equal(defaultFeatureLayer(layers(layer("Conv2D", "c"))), null);
});

Deno.test("modelFormatOf() tells Layers from Graph models, also without a format field", () => {
  assert.equal(modelFormatOf({ modelTopology: { node: [] } }), "graph");
  assert.equal(modelFormatOf({ modelTopology: { model_config: {} } }), "layers");
  assert.equal(modelFormatOf({ modelTopology: {} }), null);
});

Deno.test("expectedWeightBytes() counts quantised weights at their stored size", () => {
  const json = {
    weightsManifest: [{
      paths: ["a.bin"],
      weights: [
        { name: "w", shape: [2, 3], dtype: "float32" },
        { name: "q", shape: [10], dtype: "float32", quantization: { dtype: "uint8" } },
      ],
    }],
  };
  assert.equal(expectedWeightBytes(json), 24 + 10);
  assert.equal(
    expectedWeightBytes({
      weightsManifest: [{ paths: [], weights: [{ name: "s", shape: [1], dtype: "string" }] }],
    }),
    null,
  );
});

Deno.test("modelJsonUrl() completes directory and TF Hub URLs, and weights keep the query", async () => {
  assert.equal(
    (await modelJsonUrl("http://127.0.0.1:8/m/")).href,
    "http://127.0.0.1:8/m/model.json",
  );
  assert.equal(
    (await modelJsonUrl("http://127.0.0.1:8/m/model.json")).href,
    "http://127.0.0.1:8/m/model.json",
  );
  const hub = await modelJsonUrl(
    "https://tfhub.dev/google/tfjs-model/imagenet/mobilenet_v2_100_224/feature_vector/3/default/1",
  );
  assert.equal(hub.search, "?tfjs-format=file");
  assert.match(hub.pathname, /\/default\/1\/model\.json$/);
  assert.equal(
    weightUrl(hub, "group1-shard1of3.bin").href.endsWith(
      "/default/1/group1-shard1of3.bin?tfjs-format=file",
    ),
    true,
  );
  const dir = await Deno.makeTempDir();
  assert.equal((await modelJsonUrl(dir)).href, `file://${dir}/model.json`);
  await Deno.remove(dir);
});
