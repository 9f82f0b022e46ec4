import assert from "node:assert/strict";
import average, { type AverageParams } from "../average/mod.ts";
import finetune from "./mod.ts";
import type { FinetuneParams } from "../_shared/finetune_params.ts";
import { readTree } from "../_testing/fixtures.ts";
import { writeTinyBackbone, writeTinyDataset } from "./_network_fixtures.ts";
import { testContext } from "../_testing/test_context.ts";
import { TaskError } from "@dropline/task";

const dataset = await writeTinyDataset();
const backbone = await writeTinyBackbone();
const base = {
  backbone,
  dataset,
  backend: "cpu",
  test_domains: ["sketch"],
  dropout: 0.5,
  trainable_layers: 1,
  lr: 0.05,
  steps: 12,
  eval_every: 4,
  log_every: 2,
  batch_size: 4,
};

Deno.test("finetune on a backbone resumes to the same outputs as an uninterrupted run", async () => {
  const whole = await testContext<FinetuneParams>(finetune, base);
  await finetune.run(whole.ctx);
  const summary = JSON.parse(await Deno.readTextFile(`${whole.ctx.outDir}/summary.json`));
  assert.equal(summary.kind, "network");
  assert.deepEqual(summary.train_domains, ["art", "cartoon", "photo"]);
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

Deno.test("average of network runs: a soup of identical runs scores as the run", async () => {
  const run = await testContext<FinetuneParams>(finetune, { ...base, steps: 4 });
  await finetune.run(run.ctx);
  const avg = await testContext<AverageParams>(average, {
    runs: [run.ctx.outDir, run.ctx.outDir],
    dataset,
    backend: "cpu",
    methods: ["uniform_soup", "ensemble"],
  });
  await average.run(avg.ctx);
  const json = JSON.parse(await Deno.readTextFile(`${avg.ctx.outDir}/average.json`));
  const summary = JSON.parse(await Deno.readTextFile(`${run.ctx.outDir}/summary.json`));
  for (const output of json.groups[0].outputs) {
    assert.deepEqual(output.evaluation.accuracy, summary.selected.accuracy);
  }
});
