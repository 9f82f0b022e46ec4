import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readBackboneInfo } from "@dropline/ml";
import { loadGraphModelFromDir, loadLayersModelFromDir, loadTensorRuntime } from "@dropline/tensor";
import { TaskError } from "@dropline/task";
import { serveFiles } from "../../tests/support/file_server.ts";
import { runTask } from "../../tests/support/test_context.ts";
import {
  prefixed,
  readTree,
  saveTinyLayersModel,
  tinyGraphModelFiles,
} from "../../tests/support/tiny_model.ts";
import backbone from "./mod.ts";

const modelDir = await Deno.makeTempDir();
globalThis.addEventListener("unload", () => Deno.removeSync(modelDir, { recursive: true }));
const tiny = await saveTinyLayersModel(modelDir, { shards: 2 });
const layersFiles = await readTree(modelDir);
const sha = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

Deno.test("backbone fetches a served Layers model with its shards, records it, and it loads", async () => {
  await using server = serveFiles(prefixed(layersFiles, "tiny/"));
  await using run = await runTask(backbone, {
    url: `${server.url}tiny/model.json`,
    sha256: sha(layersFiles["model.json"]!),
    preprocessing: "imagenet",
  });
  const info = await readBackboneInfo(run.outDir);
  assert.equal(info.modelFormat, "layers");
  assert.deepEqual(info.inputSize, [8, 8]);
  assert.equal(info.channels, 3);
  assert.equal(info.featureLayer, tiny.featureLayer);
  assert.equal(info.featureDimension, tiny.featureDimension);
  assert.deepEqual(info.weightFiles, tiny.weightFiles);
  assert.deepEqual(info.preprocessing.std, [0.229, 0.224, 0.225]);
  assert.deepEqual(server.requests.map((r) => r.path).sort(), [
    "tiny/group1-shard1of2.bin",
    "tiny/group1-shard2of2.bin",
    "tiny/model.json",
  ]);
  const rt = await loadTensorRuntime();
  const [fetched, original] = [
    await loadLayersModelFromDir(rt, run.outDir),
    await loadLayersModelFromDir(rt, modelDir),
  ];
  const x = rt.tf.randomUniform([2, 8, 8, 3]);
  const [a, b] = [
    fetched.predict(x),
    original.predict(x),
  ] as import("@tensorflow/tfjs-core").Tensor[];
  assert.deepEqual(a!.shape, [2, 3]);
  assert.deepEqual(await a!.data(), await b!.data());
  rt.tf.dispose([x, a!, b!]);
  fetched.dispose();
  original.dispose();
});

Deno.test("backbone fetches a Graph model, defaults to its output as features, and it runs", async () => {
  await using server = serveFiles(prefixed(tinyGraphModelFiles(), "g/"));
  await using run = await runTask(backbone, { url: `${server.url}g/` });
  const info = await readBackboneInfo(run.outDir);
  assert.deepEqual([info.modelFormat, info.inputSize, info.channels, info.featureLayer], [
    "graph",
    [4, 4],
    3,
    null,
  ]);
  assert.equal(info.featureDimension, 2);
  assert.deepEqual(info.preprocessing, {
    scale: 1 / 255,
    offset: 0,
    mean: [0, 0, 0],
    std: [1, 1, 1],
  });
  const rt = await loadTensorRuntime();
  const model = await loadGraphModelFromDir(rt, run.outDir);
  const x = rt.tf.ones([1, 4, 4, 3]);
  const y = model.execute(x) as import("@tensorflow/tfjs-core").Tensor;
  assert.deepEqual([...await y.data()], [9, 12]);
  rt.tf.dispose([x, y]);
  model.dispose();
});

Deno.test("backbone reads a local model directory and keys on it", async () => {
  const params = backbone.schema.parse({ url: modelDir, check_load: false, feature_layer: "conv" });
  assert.deepEqual(backbone.inputFiles?.(params), [modelDir]);
  await using run = await runTask(backbone, {
    url: modelDir,
    check_load: false,
    feature_layer: "conv",
  });
  const info = await readBackboneInfo(run.outDir);
  assert.equal(info.featureLayer, "conv");
  assert.equal(info.featureDimension, null);
  assert.deepEqual(
    await Deno.readFile(`${run.outDir}/group1-shard2of2.bin`),
    layersFiles["group1-shard2of2.bin"],
  );
});

Deno.test("backbone keys on a local model path as written, for the engine to resolve against the pipeline's directory", () => {
  const keyed = (url: string) => backbone.inputFiles?.(backbone.schema.parse({ url }));
  assert.deepEqual(keyed("mybb"), ["mybb"]);
  assert.deepEqual(keyed("mybb/model.json"), ["mybb"]);
  assert.deepEqual(keyed("bbmodel.json"), ["."], "a model.json beside the pipeline: its directory");
  assert.deepEqual(keyed("file:///models/my%20bb/model.json"), ["/models/my bb"]);
  assert.deepEqual(keyed("/models/bb"), ["/models/bb"]);
  assert.deepEqual(keyed("https://example.org/bb/model.json"), []);
});

Deno.test("backbone rejects a wrong format, a wrong checksum, a bad layer and mismatched weights", async () => {
  const json = JSON.parse(new TextDecoder().decode(layersFiles["model.json"]!));
  json.weightsManifest[0].paths = ["../../escape.bin"];
  await using server = serveFiles({
    ...prefixed(tinyGraphModelFiles(), "g/"),
    ...prefixed(layersFiles, "ok/"),
    ...prefixed({ ...layersFiles, "group1-shard2of2.bin": new Uint8Array(3) }, "short/"),
    "evil/model.json": JSON.stringify(json),
  });
  const fails = async (params: Record<string, unknown>, pattern: RegExp) =>
    await assert.rejects(
      () => runTask(backbone, params),
      (e: Error) => e instanceof TaskError && pattern.test(e.message),
    );
  await fails(
    { url: `${server.url}g/model.json`, format: "layers" },
    /is a graph model, but format "layers" was asked for/,
  );
  await fails(
    { url: `${server.url}ok/model.json`, sha256: "a".repeat(64) },
    /Checksum mismatch .*model\.json/,
  );
  await fails(
    { url: `${server.url}ok/model.json`, feature_layer: "nope" },
    /Feature layer "nope" is not in the model \(layers: conv, features, logits\)/,
  );
  await fails(
    { url: `${server.url}short/model.json` },
    /hold \d+ bytes, but its manifest describes \d+/,
  );
  await fails(
    { url: `${server.url}evil/model.json` },
    /Weight path "\.\.\/\.\.\/escape\.bin" .* leaves the model directory/,
  );
});
