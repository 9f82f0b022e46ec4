import assert from "node:assert/strict";
import { readBackboneInfo, readFeatures } from "@dropline/ml";
import { loadTensorRuntime } from "@dropline/tensor";
import { TaskError } from "@dropline/task";
import { makeTestContext, runTask } from "../../tests/support/test_context.ts";
import { writeTinyDataset } from "../_testing/extract_fixtures.ts";
import extractFeatures from "../extract_features/mod.ts";
import pretrain from "./mod.ts";

// The cpu backend is exact, so an interrupted and resumed run can be compared bit for bit.
const { tf } = await loadTensorRuntime({ backend: "cpu", log: () => {} });

const dataset = await writeTinyDataset({ shape: [8, 8, 1], domains: ["a", "b", "c"] });
globalThis.addEventListener("unload", () => Deno.removeSync(dataset, { recursive: true }));

const tinyCnn = {
  dataset,
  architecture: "mnist_cnn",
  filters: [4, 8, 8, 8],
  groups: 2,
  domains: ["a", "b"],
  batch_size: 8,
  lr: 0.01,
};

Deno.test("pretrain trains the MNIST CNN and publishes a backbone extract_features can run", async () => {
  const before = tf.memory().numTensors;
  await using run = await runTask(pretrain, { ...tinyCnn, steps: 30, checkpoint_every: 10 });
  assert.equal(tf.memory().numTensors, before, "no tensor outlives the stage");
  const info = await readBackboneInfo(run.outDir);
  assert.equal(info.modelFormat, "layers");
  assert.deepEqual([info.inputSize, info.channels], [[8, 8], 1]);
  assert.equal(info.featureLayer, "features");
  assert.equal(info.featureDimension, 8);
  assert.equal(info.preprocessing.scale, 1 / 255);
  const losses = run.metrics.filter((m) => "loss" in m).map((m) => m.loss!);
  assert.ok(losses.at(-1)! < losses[0]!, `loss falls: ${losses.join(", ")}`);
  assert.ok(run.metrics.at(-1)!.train_acc! > 0.6, "learns the easy classes");
  assert.deepEqual(Object.keys(run.metrics.at(-1)!).filter((k) => k.startsWith("acc_")), [
    "acc_a",
    "acc_b",
  ]);
  assert.deepEqual(run.progress.at(-1), {
    ...run.progress.at(-1),
    done: 30,
    total: 30,
    unit: "steps",
  });
  await using features = await runTask(extractFeatures, { backbone: run.outDir, dataset });
  const extracted = await readFeatures(features.outDir);
  assert.deepEqual([extracted.info.layer, extracted.info.dimension], ["features", 8]);
  assert.equal(extracted.info.backbone, "pretrain:mnist_cnn");
});

Deno.test("pretrain resumes an interrupted run from its checkpoint to the same weights", async () => {
  const params = pretrain.schema.parse({
    ...tinyCnn,
    steps: 12,
    checkpoint_every: 4,
    log_every: 2,
  });
  await using whole = await makeTestContext(params);
  await pretrain.run(whole.ctx);

  const controller = new AbortController();
  await using first = await makeTestContext(params, { signal: controller.signal });
  first.ctx.metrics = (record) => {
    if (record.step >= 6) controller.abort();
  };
  await assert.rejects(
    pretrain.run(first.ctx),
    (e: Error) => e instanceof TaskError && /Interrupted/.test(e.message),
  );
  const saved = JSON.parse(await Deno.readTextFile(`${first.checkpointDir}/checkpoint.json`));
  assert.equal(saved.step, 4);

  await using second = await makeTestContext(params, { checkpointDir: first.checkpointDir });
  await pretrain.run(second.ctx);
  assert.ok(second.infos.some((m) => /Resuming from the checkpoint at step 4/.test(m)));
  assert.equal(second.metrics[0]!.step, 6, "continues after the checkpoint");
  const summary = JSON.parse(await Deno.readTextFile(`${second.outDir}/pretrain.json`));
  assert.equal(summary.steps, 12);
  assert.deepEqual(
    await Deno.readFile(`${second.outDir}/weights.bin`),
    await Deno.readFile(`${whole.outDir}/weights.bin`),
  );
});

Deno.test("pretrain trains an MLP on the named domains only", async () => {
  await using run = await runTask(pretrain, {
    dataset,
    architecture: "mlp",
    hidden: [16, 6],
    domains: "c",
    steps: 4,
    checkpoint_every: 2,
  });
  const info = await readBackboneInfo(run.outDir);
  assert.deepEqual([info.featureLayer, info.featureDimension], ["features", 6]);
  const summary = JSON.parse(await Deno.readTextFile(`${run.outDir}/pretrain.json`));
  assert.deepEqual(summary.trainDomains, ["c"]);
  assert.deepEqual(Object.keys(summary.last).filter((k) => k.startsWith("acc_")), ["acc_c"]);
  const headline = pretrain.headline?.read(summary);
  assert.equal(headline?.val_acc, summary.last.val_acc);
  assert.equal(typeof headline?.val_acc, "number");
});

Deno.test("pretrain leaves the test domains out of training", async () => {
  await using run = await runTask(pretrain, {
    dataset,
    architecture: "mlp",
    hidden: [4],
    test_domains: "b",
    steps: 2,
    checkpoint_every: 2,
  });
  const summary = JSON.parse(await Deno.readTextFile(`${run.outDir}/pretrain.json`));
  assert.deepEqual(summary.trainDomains, ["a", "c"]);
  await assert.rejects(
    runTask(pretrain, { ...tinyCnn, test_domains: ["a", 1], steps: 1 }),
    /No training domain is left after removing the test domains/,
  );
});

Deno.test("pretrain rejects unknown domains and group counts that do not divide the filters", async () => {
  await assert.rejects(
    runTask(pretrain, { ...tinyCnn, domains: ["a", "photo"], steps: 1 }),
    (e: Error) =>
      e instanceof TaskError &&
      /Unknown domain "photo": the data set has "a", "b", "c"/.test(e.message),
  );
  assert.throws(
    () => pretrain.schema.parse({ ...tinyCnn, filters: [4, 6, 8, 8], groups: 4 }),
    /multiple of `groups`/,
  );
  assert.throws(() => pretrain.schema.parse({ dataset, architecture: "resnet" }), /architecture/);
});

Deno.test("pretrain builds a small CNN whose representation is its wide dense layer", async () => {
  await using run = await runTask(pretrain, {
    dataset,
    architecture: "small_cnn",
    filters: [2, 4],
    width: 24,
    steps: 2,
    checkpoint_every: 2,
  });
  const info = await readBackboneInfo(run.outDir);
  assert.deepEqual([info.featureLayer, info.featureDimension], ["features", 24]);
  // Every layer's class, in order, wherever the saved topology nests them.
  const topology = await Deno.readTextFile(`${run.outDir}/model.json`);
  const layers = [...topology.matchAll(/"class_name":\s*"(Conv2D|Flatten|Dense)"/g)].map((m) =>
    m[1]
  );
  assert.deepEqual(layers, ["Conv2D", "Conv2D", "Flatten", "Dense", "Dense"]);
});
