import assert from "node:assert/strict";
import average, { type AverageParams } from "./mod.ts";
import { finetuneRun, writeSyntheticFeatures } from "../_testing/fixtures.ts";
import { testContext } from "../_testing/test_context.ts";
import { maxAbsDifference, readModelDir, wiseFt } from "@dropline/ml";

const features = await writeSyntheticFeatures();
const seeds = await Promise.all([0, 1, 2].map((seed) => finetuneRun(features, { seed })));
const probe = await finetuneRun(features, { dropout: 0, seed: 9 });
const otherProbe = await finetuneRun(features, { dropout: 0, test_domains: ["photo"] });

async function runAverage(input: Record<string, unknown>) {
  const run = await testContext<AverageParams>(average, { features, ...input });
  await average.run(run.ctx);
  return {
    out: run.ctx.outDir,
    json: JSON.parse(await Deno.readTextFile(`${run.ctx.outDir}/average.json`)),
  };
}

Deno.test("average makes soups, WiSE-FT towards the linear probe and an ensemble, each evaluated", async () => {
  const { out, json } = await runAverage({
    runs: seeds,
    linear_probe: [probe, otherProbe],
    alphas: [0, 0.5, 1],
  });
  assert.equal(json.groups.length, 1);
  const outputs = json.groups[0].outputs;
  assert.deepEqual(outputs.map((o: { path: string }) => o.path.split("/").slice(2).join("/")), [
    "uniform_soup",
    "greedy_soup",
    "ensemble",
    "wise_ft/0",
    "wise_ft/1",
    "wise_ft/2",
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
  const lp = (await readModelDir(`${probe}/selected`)).weights;
  for (const o of outputs.filter((o: { method: string }) => o.method === "wise_ft")) {
    const { alpha, run } = o.evaluation.params;
    assert.equal(o.selection.linear_probe, probe, "the probe of the group's test domain");
    const best = Math.max(...o.selection.alphas.map((a: { acc: number }) => a.acc));
    assert.equal(o.selection.alphas.find((a: { alpha: number }) => a.alpha === alpha).acc, best);
    const expected = wiseFt(lp, (await readModelDir(`${run}/selected`)).weights, alpha);
    assert.equal(maxAbsDifference((await readModelDir(`${out}/${o.path}`)).weights, expected), 0);
  }
  assert.ok((await Deno.stat(`${out}/${outputs[2].path}/members/2/model.json`)).isFile);
  // Headline: per method, the mean over its outputs (WiSE-FT has one per run).
  const headline = average.headline!.read(json);
  const wise = outputs.filter((o: { method: string }) => o.method === "wise_ft");
  const meanOod =
    wise.reduce((s: number, o: { evaluation: { ood: number } }) => s + o.evaluation.ood, 0) /
    wise.length;
  assert.deepEqual(Object.keys(headline), [
    "uniform_soup.val_acc",
    "uniform_soup.test_acc",
    "greedy_soup.val_acc",
    "greedy_soup.test_acc",
    "ensemble.val_acc",
    "ensemble.test_acc",
    "wise_ft.val_acc",
    "wise_ft.test_acc",
  ]);
  assert.equal(headline["greedy_soup.test_acc"], greedy.evaluation.ood);
  assert.ok(Math.abs(headline["wise_ft.test_acc"]! - meanOod) < 1e-12);
});

Deno.test("average: WiSE-FT at alpha 0 is the linear probe, at 1 the fine-tuned run", async () => {
  for (const alpha of [0, 1]) {
    const { json } = await runAverage({
      runs: [seeds[1]],
      linear_probe: probe,
      methods: ["wise_ft"],
      alphas: [alpha],
    });
    const expected = JSON.parse(
      await Deno.readTextFile(`${alpha ? seeds[1] : probe}/summary.json`),
    );
    assert.deepEqual(json.groups[0].outputs[0].evaluation.accuracy, expected.selected.accuracy);
  }
});

Deno.test("average: WiSE-FT needs a linear probe of the group's test domains", async () => {
  assert.equal(
    average.schema.safeParse({ runs: seeds, features, methods: ["wise_ft"] }).success,
    false,
  );
  await assert.rejects(
    () => runAverage({ runs: seeds, linear_probe: otherProbe, methods: ["wise_ft"] }),
    /No linear_probe run has test domains "sketch" \(given: "photo"\)/,
  );
  const { json } = await runAverage({ runs: seeds });
  assert.ok(json.groups[0].outputs.every((o: { method: string }) => o.method !== "wise_ft"));
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

Deno.test("average refuses a group_by or where field no run has", async () => {
  await assert.rejects(
    () => runAverage({ runs: seeds, group_by: ["test_domain"] }),
    /Unknown group_by field "test_domain": the inputs' parameters are .*"test_domains"/,
  );
  await assert.rejects(
    () => runAverage({ runs: seeds, where: { sed: [0] } }),
    /Unknown where field "sed": the inputs' parameters are .*"seed"/,
  );
});

Deno.test("average's schema wants exactly one of features and dataset", () => {
  const messages = (input: unknown) =>
    average.schema.safeParse(input).error?.issues.map((i) => i.message) ?? [];
  assert.deepEqual(messages({ runs: seeds, features, dataset: "d" }), [
    "Give either `features` (heads) or `dataset` (networks), not both",
  ]);
  assert.deepEqual(messages({ runs: seeds }), ["Give `features` (heads) or `dataset` (networks)"]);
  assert.deepEqual(messages({ runs: seeds, dataset: "d" }), []);
});
