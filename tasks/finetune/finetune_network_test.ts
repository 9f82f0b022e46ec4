import assert from "node:assert/strict";
import { readModelDir, type Weights } from "@dropline/ml";
import average, { type AverageParams } from "../average/mod.ts";
import finetune from "./mod.ts";
import type { FinetuneParams } from "../_shared/finetune_params.ts";
import extractFeatures from "../extract_features/mod.ts";
import { finetuneRun, readTree } from "../_testing/fixtures.ts";
import { writeTinyBackbone, writeTinyDataset, writeTinyResNet } from "./_network_fixtures.ts";
import { testContext } from "../_testing/test_context.ts";
import { TaskError } from "@dropline/task";

const grey = await writeTinyDataset();
const rgb = await writeTinyDataset({ channels: 3, size: 10 });
const cnn = await writeTinyBackbone();
const resnet = await writeTinyResNet();
const base = {
  backbone: resnet,
  dataset: rgb,
  backend: "cpu",
  test_domains: ["sketch"],
  dropout: 0.5,
  lr: 0.05,
  steps: 12,
  eval_every: 4,
  log_every: 2,
  batch_size: 4,
};

async function run(params: Record<string, unknown>): Promise<string> {
  const r = await testContext<FinetuneParams>(finetune, { ...base, ...params });
  await finetune.run(r.ctx);
  return r.ctx.outDir;
}

/** Names of the weights that differ between two checkpoints of a run. */
function changed(a: Weights, b: Weights): string[] {
  return a.filter((w, i) => w.values.some((v, j) => v !== b[i]!.values[j])).map((w) => w.name);
}

async function changedNames(dir: string): Promise<string[]> {
  const [initial, last] = [await readModelDir(`${dir}/initial`), await readModelDir(`${dir}/last`)];
  return changed(initial.weights, last.weights).sort();
}

Deno.test("finetune on a ResNet resumes to the same outputs as an uninterrupted run", async () => {
  const whole = await testContext<FinetuneParams>(finetune, base);
  await finetune.run(whole.ctx);
  const summary = JSON.parse(await Deno.readTextFile(`${whole.ctx.outDir}/summary.json`));
  assert.equal(summary.kind, "network");
  assert.deepEqual(summary.train_domains, ["art", "cartoon", "photo"]);
  assert.equal(summary.augmentation.hue, 0.3, "RGB images get DomainBed's augmentation");
  const first = await testContext<FinetuneParams>(finetune, base);
  first.ctx.progress = (p) => {
    if (p.done === 6) first.controller.abort();
  };
  await assert.rejects(() => finetune.run(first.ctx), TaskError);
  const again = await testContext<FinetuneParams>(finetune, base, {
    checkpointDir: first.ctx.checkpointDir,
  });
  await finetune.run(again.ctx);
  assert.equal(again.metrics[0]?.step, 6, "continued after the step-4 checkpoint");
  const [a, b] = [await readTree(whole.ctx.outDir), await readTree(again.ctx.outDir)];
  for (const [path, bytes] of a) assert.deepEqual(b.get(path), bytes, `${path} differs`);
  const model = JSON.parse(await Deno.readTextFile(`${whole.ctx.outDir}/selected/model.json`));
  assert.equal(model.userDefinedMetadata.dropline.kind, "network");
});

Deno.test("finetune with frozen_stats trains every convolution, scale and shift, and no running statistic", async () => {
  const names = await changedNames(await run({ train: "all", batchnorm: "frozen_stats" }));
  assert.ok(names.length > 0);
  assert.ok(names.every((n) => !/moving_(mean|variance)/.test(n)), names.join());
  for (const expected of ["conv1/kernel", "bn1/gamma", "bn1/beta", "block2_down_conv/kernel"]) {
    assert.ok(names.includes(expected), `${expected} trained`);
  }
  assert.ok(names.includes("logits/kernel") && names.includes("logits/bias"));
});

Deno.test("finetune trains exactly the weights `train` names; the others stay bit-identical", async () => {
  const block2 = [
    "block2_bn1/beta",
    "block2_bn1/gamma",
    "block2_bn2/beta",
    "block2_bn2/gamma",
    "block2_conv1/kernel",
    "block2_conv2/kernel",
    "block2_down_bn/beta",
    "block2_down_bn/gamma",
    "block2_down_conv/kernel",
  ];
  const head = ["logits/bias", "logits/kernel"];
  assert.deepEqual(await changedNames(await run({ train: { last_blocks: 1 } })), [
    ...block2,
    ...head,
  ]);
  assert.deepEqual(await changedNames(await run({ train: "head" })), head);
  assert.deepEqual(
    await changedNames(await run({ train: { last_blocks: 1 }, batchnorm: "frozen" })),
    block2.filter((n) => !n.includes("bn")).concat(head).sort(),
  );
});

Deno.test("finetune with batchnorm train updates the running statistics of trained blocks only", async () => {
  const names = await changedNames(await run({ train: { last_blocks: 1 }, batchnorm: "train" }));
  assert.ok(
    names.includes("block2_bn1/moving_mean") && names.includes("block2_down_bn/moving_variance"),
  );
  assert.ok(!names.some((n) => n.startsWith("block1") || n.startsWith("bn1")), names.join());
});

Deno.test("finetune refuses more blocks than the backbone has", async () => {
  const r = await testContext<FinetuneParams>(finetune, { ...base, train: { last_blocks: 4 } });
  await assert.rejects(
    () => finetune.run(r.ctx),
    /last_blocks 4 asks for more blocks than the backbone has \(3/,
  );
});

Deno.test("finetune names the backbone's layers when the layer is missing", async () => {
  const r = await testContext<FinetuneParams>(finetune, { ...base, layer: "conv9" });
  await assert.rejects(() => finetune.run(r.ctx), /has no layer "conv9"; its layers are: \S+, /);
});

Deno.test("finetune on a grey CNN with group norm trains without augmentation by default", async () => {
  const out = await run({ backbone: cnn, dataset: grey, train: { last_blocks: 1 } });
  const summary = JSON.parse(await Deno.readTextFile(`${out}/summary.json`));
  assert.equal(summary.augmentation, null);
  assert.deepEqual(await changedNames(out), [
    "conv4/bias",
    "conv4/kernel",
    "gn4/beta",
    "gn4/gamma",
    "logits/bias",
    "logits/kernel",
  ]);
});

Deno.test("finetune with micro-batches ends where the whole-batch run does, up to float rounding", async () => {
  const dir = await run({ augment: false });
  const [initial, whole] = [
    await readModelDir(`${dir}/initial`),
    await readModelDir(`${dir}/last`),
  ];
  const micro = await readModelDir(`${await run({ augment: false, micro_batch: 5 })}/last`);
  let moved = 0, apart = 0;
  whole.weights.forEach((w, i) => {
    w.values.forEach((v, j) => {
      moved = Math.max(moved, Math.abs(v - initial.weights[i]!.values[j]!));
      apart = Math.max(apart, Math.abs(v - micro.weights[i]!.values[j]!));
    });
  });
  assert.ok(moved > 0.01, `training moved the weights by ${moved}`);
  assert.ok(apart < 1e-2 * moved, `micro-batches end ${apart} away (weights moved ${moved})`);
});

Deno.test("average of network runs: a soup of identical runs scores as the run", async () => {
  const out = await run({ steps: 4 });
  const avg = await testContext<AverageParams>(average, {
    runs: [out, out],
    dataset: rgb,
    backend: "cpu",
    methods: ["uniform_soup", "ensemble"],
  });
  await average.run(avg.ctx);
  const json = JSON.parse(await Deno.readTextFile(`${avg.ctx.outDir}/average.json`));
  const summary = JSON.parse(await Deno.readTextFile(`${out}/summary.json`));
  for (const output of json.groups[0].outputs) {
    assert.deepEqual(output.evaluation.accuracy, summary.selected.accuracy);
  }
});

Deno.test("average of networks: WiSE-FT at alpha 0 predicts as the linear probe on extracted features, at 1 as the run", async () => {
  const extract = await testContext(extractFeatures, {
    backbone: resnet,
    dataset: rgb,
    backend: "cpu",
  });
  await extractFeatures.run(extract.ctx);
  const probe = await finetuneRun(extract.ctx.outDir, { dropout: 0, lr: 0.1, steps: 40 });
  const out = await run({ steps: 8 });
  for (const alpha of [0, 1]) {
    const avg = await testContext<AverageParams>(average, {
      runs: [out],
      dataset: rgb,
      backend: "cpu",
      linear_probe: [probe],
      methods: ["wise_ft"],
      alphas: [alpha],
    });
    await average.run(avg.ctx);
    const json = JSON.parse(await Deno.readTextFile(`${avg.ctx.outDir}/average.json`));
    const expected = JSON.parse(await Deno.readTextFile(`${alpha ? out : probe}/summary.json`));
    const accuracy = json.groups[0].outputs[0].evaluation.accuracy;
    // Networks are not scored on the training data: compare what both score.
    for (const [domain, acc] of Object.entries(expected.selected.accuracy)) {
      const { out: o, in: i, n_out } = acc as Record<string, number>;
      assert.deepEqual([accuracy[domain].out, accuracy[domain].n_out], [o, n_out], domain);
      if (domain === "sketch") assert.equal(accuracy[domain].in, i, domain);
    }
  }
});
