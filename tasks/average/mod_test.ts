import assert from "node:assert/strict";
import average, { type AverageParams } from "./mod.ts";
import { finetuneRun, writeSyntheticFeatures } from "../_testing/fixtures.ts";
import { testContext } from "../_testing/test_context.ts";
import { maxAbsDifference, readModelDir } from "@dropline/ml";

const features = await writeSyntheticFeatures();
const seeds = await Promise.all([0, 1, 2].map((seed) => finetuneRun(features, { seed })));

async function runAverage(input: Record<string, unknown>) {
  const run = await testContext<AverageParams>(average, { features, ...input });
  await average.run(run.ctx);
  return {
    out: run.ctx.outDir,
    json: JSON.parse(await Deno.readTextFile(`${run.ctx.outDir}/average.json`)),
  };
}

Deno.test("average makes soups, WiSE-FT and an ensemble per test domain, each evaluated", async () => {
  const { out, json } = await runAverage({ runs: seeds, alphas: [0, 0.5, 1] });
  assert.equal(json.groups.length, 1);
  const outputs = json.groups[0].outputs;
  assert.deepEqual(outputs.map((o: { path: string }) => o.path.split("/").slice(2).join("/")), [
    "uniform_soup",
    "greedy_soup",
    "ensemble",
    "wise_ft/alpha=0",
    "wise_ft/alpha=0.5",
    "wise_ft/alpha=1",
  ]);
  for (const o of outputs) {
    const evaluation = JSON.parse(await Deno.readTextFile(`${out}/${o.path}/evaluation.json`));
    assert.deepEqual(evaluation, o.evaluation);
    assert.deepEqual(evaluation.test_domains, ["sketch"]);
  }
  const summaries = await Promise.all(
    seeds.map(async (d) => JSON.parse(await Deno.readTextFile(`${d}/summary.json`))),
  );
  const bestVal = Math.max(...summaries.map((s) => s.selected.val_acc));
  const greedy = outputs.find((o: { method: string }) => o.method === "greedy_soup");
  assert.ok(
    greedy.evaluation.val_acc >= bestVal,
    `greedy ${greedy.evaluation.val_acc} < best ${bestVal}`,
  );
  const best = seeds[summaries.findIndex((s) => s.selected.val_acc === bestVal)]!;
  const wise1 = await readModelDir(`${out}/${outputs[5].path}`);
  assert.equal(
    maxAbsDifference(wise1.weights, (await readModelDir(`${best}/selected`)).weights),
    0,
  );
  const wise0 = await readModelDir(`${out}/${outputs[3].path}`);
  assert.equal(maxAbsDifference(wise0.weights, (await readModelDir(`${best}/initial`)).weights), 0);
  assert.ok((await Deno.stat(`${out}/${outputs[2].path}/members/2/model.json`)).isFile);
});

Deno.test("average: a uniform soup of identical runs equals the run", async () => {
  const { out, json } = await runAverage({ runs: [seeds[0], seeds[0]], methods: ["uniform_soup"] });
  const soup = await readModelDir(`${out}/${json.groups[0].outputs[0].path}`);
  assert.equal(
    maxAbsDifference(soup.weights, (await readModelDir(`${seeds[0]}/selected`)).weights),
    0,
  );
  const run = JSON.parse(await Deno.readTextFile(`${seeds[0]}/summary.json`));
  assert.deepEqual(json.groups[0].outputs[0].evaluation.accuracy, run.selected.accuracy);
});

Deno.test("average refuses runs with different starting points or architectures, naming them", async () => {
  const otherStart = await finetuneRun(features, { init_seed: 7, steps: 20 });
  await assert.rejects(() => runAverage({ runs: [seeds[0], otherStart] }), (error: Error) => {
    assert.match(error.message, /different starting points/);
    assert.ok(error.message.includes(seeds[0]!) && error.message.includes(otherStart));
    return true;
  });
  const otherShape = await finetuneRun(features, { hidden: [8], steps: 20 });
  await assert.rejects(
    () => runAverage({ runs: [seeds[0], otherShape] }),
    /different architectures/,
  );
});

Deno.test("average groups by the listed parameters and filters with where", async () => {
  const other = await finetuneRun(features, { test_domains: ["photo"], steps: 20, seed: 5 });
  const { json } = await runAverage({
    runs: [...seeds, other],
    methods: ["ensemble"],
    where: { seed: [0, 1] },
  });
  assert.deepEqual(json.groups.map((g: { id: string }) => g.id), ["test_domains=sketch"]);
  assert.equal(json.groups[0].runs.length, 2);
  const all = await runAverage({ runs: [...seeds, other], methods: ["ensemble"] });
  assert.deepEqual(all.json.groups.map((g: { id: string }) => g.id), [
    "test_domains=sketch",
    "test_domains=photo",
  ]);
});
