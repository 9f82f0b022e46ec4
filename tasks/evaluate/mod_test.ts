import assert from "node:assert/strict";
import evaluate, { type EvaluateParams } from "./mod.ts";
import { finetuneRun, writeSyntheticFeatures } from "../_testing/fixtures.ts";
import { testContext } from "../_testing/test_context.ts";

const features = await writeSyntheticFeatures();
const runs = await Promise.all([0, 1].map((seed) => finetuneRun(features, { seed })));

async function runEvaluate(input: Record<string, unknown>) {
  const run = await testContext<EvaluateParams>(evaluate, { features, ...input });
  await evaluate.run(run.ctx);
  return JSON.parse(await Deno.readTextFile(`${run.ctx.outDir}/evaluation.json`));
}

Deno.test("evaluate scores a run's selected model as finetune's summary does", async () => {
  const record = await runEvaluate({ model: runs[0] });
  const summary = JSON.parse(await Deno.readTextFile(`${runs[0]}/summary.json`));
  assert.deepEqual(record.accuracy, summary.selected.accuracy);
  assert.equal(record.iid, summary.selected.iid);
  assert.equal(record.ood, summary.selected.ood);
  assert.deepEqual(record.test_domains, ["sketch"]);
  assert.equal(record.method, "finetune");
  assert.deepEqual(evaluate.headline?.read(record), { val_acc: record.iid, test_acc: record.ood });
});

Deno.test("evaluate averages probabilities over several models", async () => {
  const record = await runEvaluate({ model: runs });
  assert.equal(record.method, "ensemble");
  assert.equal(record.params.members, 2);
  assert.equal(record.models.length, 2);
  assert.ok(record.ood > 0.5);
});

Deno.test("evaluate can score against other test domains and names what it cannot read", async () => {
  const record = await runEvaluate({ model: `${runs[0]}/last`, test_domains: ["photo", "sketch"] });
  assert.deepEqual(record.train_domains, ["art", "cartoon"]);
  assert.ok(
    Math.abs(record.ood - (record.accuracy.photo.in + record.accuracy.sketch.in) / 2) < 1e-12,
  );
  await assert.rejects(() => runEvaluate({ model: features }), /Nothing to evaluate in/);
});

Deno.test("evaluate's schema wants exactly one of features and dataset", () => {
  const messages = (input: unknown) =>
    evaluate.schema.safeParse(input).error?.issues.map((i) => i.message) ?? [];
  assert.deepEqual(messages({ model: runs[0], features, dataset: "d" }), [
    "Give either `features` (heads) or `dataset` (networks), not both",
  ]);
  assert.deepEqual(messages({ model: runs[0] }), [
    "Give `features` (heads) or `dataset` (networks)",
  ]);
  assert.deepEqual(messages({ model: runs[0], dataset: "d" }), []);
});
