/**
 * The paper's recipe on a real ResNet-50 architecture: the tiny torchvision
 * ResNet-50 fixture (tests/fixtures/resnet/, random weights, perturbed
 * BatchNorm statistics) converted by the `backbone` task, fine-tuned whole
 * and by its last block, then averaged.
 */
import assert from "node:assert/strict";
import { readModelDir } from "@dropline/ml";
import { runTask } from "../../tests/support/test_context.ts";
import { RESNET_FIXTURES } from "../../tests/support/resnet_fixture.ts";
import average from "../average/mod.ts";
import backbone from "../backbone/mod.ts";
import finetune from "./mod.ts";
import { writeTinyDataset } from "./_network_fixtures.ts";

const data = await writeTinyDataset({ channels: 3, size: 40, perDomain: 20 });
// Not `await using`: a top-level disposal would remove it before the tests run.
const converted = await runTask(backbone, {
  url: `${RESNET_FIXTURES}resnet50_tiny.safetensors`,
  architecture: "resnet50",
  input_size: 32,
});
const base = {
  backbone: converted.outDir,
  dataset: data,
  test_domains: ["sketch"],
  dropout: 0.9,
  // Random weights with frozen BatchNorm diverge at 0.01 (in PyTorch too: see the fixture README).
  lr: 0.001,
  weight_decay: 1e-4,
  steps: 6,
  eval_every: 3,
  batch_size: 4,
};

async function changedNames(dir: string): Promise<string[]> {
  const [a, b] = [await readModelDir(`${dir}/initial`), await readModelDir(`${dir}/last`)];
  return a.weights.filter((w, i) => w.values.some((v, j) => v !== b.weights[i]!.values[j]))
    .map((w) => w.name).sort();
}

Deno.test("finetune trains a converted ResNet-50 whole: running statistics stay, everything else moves", async () => {
  await using run = await runTask(finetune, base);
  const names = await changedNames(run.outDir);
  const all = (await readModelDir(`${run.outDir}/initial`)).weights.map((w) => w.name);
  const statistics = all.filter((n) => /moving_(mean|variance)$/.test(n));
  assert.equal(statistics.length, 2 * all.filter((n) => n.endsWith("/gamma")).length);
  assert.deepEqual(names, all.filter((n) => !statistics.includes(n)).sort());
  const summary = JSON.parse(await Deno.readTextFile(`${run.outDir}/summary.json`));
  assert.equal(summary.augmentation.scale[0], 0.7);
  assert.ok(run.infos.some((l) => /6 blocks/.test(l)), run.infos.join("\n"));
});

Deno.test("finetune trains the last bottleneck of a converted ResNet-50 and the head only", async () => {
  await using run = await runTask(finetune, { ...base, train: { last_blocks: 1 } });
  const names = await changedNames(run.outDir);
  assert.ok(names.length > 2);
  assert.ok(names.every((n) => n.startsWith("layer4.0") || n.startsWith("logits/")), names.join());
  assert.ok(names.includes("layer4.0.downsample.0/kernel") && names.includes("layer4.0.bn3/gamma"));
});

Deno.test("average soups converted ResNet-50 runs over every weight and scores an ensemble", async () => {
  await using a = await runTask(finetune, base);
  await using b = await runTask(finetune, { ...base, seed: 1 });
  await using avg = await runTask(average, {
    runs: [a.outDir, b.outDir],
    dataset: data,
    methods: ["uniform_soup", "ensemble"],
  });
  const json = JSON.parse(await Deno.readTextFile(`${avg.outDir}/average.json`));
  const soup = await readModelDir(`${avg.outDir}/${json.groups[0].outputs[0].path}`);
  const [wa, wb] = [
    await readModelDir(`${a.outDir}/selected`),
    await readModelDir(`${b.outDir}/selected`),
  ];
  const mean = soup.weights.find((w) => w.name === "bn1/moving_mean")!;
  assert.ok(mean.values.length > 0);
  const gamma = soup.weights.findIndex((w) => w.name === "layer4.0.bn3/gamma");
  soup.weights[gamma]!.values.forEach((v, j) => {
    const expected = (wa.weights[gamma]!.values[j]! + wb.weights[gamma]!.values[j]!) / 2;
    assert.ok(Math.abs(v - expected) < 1e-7);
  });
  const ensemble = JSON.parse(
    await Deno.readTextFile(`${avg.outDir}/${json.groups[0].outputs[1].path}/ensemble.json`),
  );
  assert.deepEqual(ensemble.members, [`${a.outDir}/selected`, `${b.outDir}/selected`]);
});
