import assert from "node:assert/strict";
import average from "../average/mod.ts";
import report, { type ReportParams } from "./mod.ts";
import { finetuneRun, writeSyntheticFeatures } from "../_testing/fixtures.ts";
import { testContext } from "../_testing/test_context.ts";

const features = await writeSyntheticFeatures({ perDomain: 90 });
const grid = [];
for (const test of ["sketch", "photo"]) {
  for (const dropout of [0, 0.9]) {
    for (const seed of [0, 1]) {
      for (const lr of [0.01, 0.002]) grid.push({ test_domains: [test], dropout, seed, lr });
    }
  }
}
const runs = await Promise.all(
  grid.map((g) => finetuneRun(features, { ...g, steps: 40, eval_every: 20 })),
);
const probes = await Promise.all(
  ["sketch", "photo"].map((test) =>
    finetuneRun(features, { test_domains: [test], dropout: 0, lr: 0.01, steps: 40, eval_every: 20 })
  ),
);
const averaged = await testContext(average, {
  runs,
  features,
  linear_probe: probes,
  group_by: ["test_domains", "dropout"],
  where: { lr: 0.01 },
  alphas: [0, 0.5, 1],
});
await average.run(averaged.ctx);

async function runReport(input: Record<string, unknown>) {
  const run = await testContext<ReportParams>(report, input);
  await report.run(run.ctx);
  return run.ctx.outDir;
}

Deno.test("report tabulates runs and soups, selecting configurations by training-domain validation", async () => {
  const out = await runReport({
    runs,
    linear_probe: probes,
    averages: [averaged.ctx.outDir],
    title: "Synthetic",
  });
  const md = await Deno.readTextFile(`${out}/report.md`);
  assert.match(md, /^# Synthetic/);
  assert.match(md, /\| Method \| photo \| sketch \| Avg \|/);
  for (
    const row of [
      "Fine-tune (p=0)",
      "Fine-tune (p=0.9)",
      "Ensemble (p=0.9)",
      "Uniform soup (p=0)",
      "Greedy soup (p=0.9)",
      "WiSE-FT (p=0.9)",
      "Linear probe",
    ]
  ) {
    assert.ok(md.includes(`| ${row} |`), `row "${row}" missing`);
  }
  const probe = JSON.parse(await Deno.readTextFile(`${out}/report.json`)).tables.ood.rows
    .find((r: { label: string }) => r.label === "Linear probe");
  const sketchProbe = JSON.parse(await Deno.readTextFile(`${probes[0]}/summary.json`));
  assert.equal(probe.cells.sketch.mean, sketchProbe.selected.ood);
  const json = JSON.parse(await Deno.readTextFile(`${out}/report.json`));
  const row = json.tables.ood.rows.find((r: { label: string }) => r.label === "Fine-tune (p=0.9)");
  // Recompute the sketch cell by hand: per seed, the lr with the best validation score.
  const summaries = await Promise.all(
    runs.map(async (d) => JSON.parse(await Deno.readTextFile(`${d}/summary.json`))),
  );
  const perSeed = [0, 1].map((seed) => {
    const mine = summaries.filter((s) =>
      s.params.seed === seed && s.params.dropout === 0.9 && s.test_domains[0] === "sketch"
    );
    return mine.reduce((best, s) => (s.selected.val_acc > best.selected.val_acc ? s : best))
      .selected.ood;
  });
  assert.ok(Math.abs(row.cells.sketch.mean - (perSeed[0] + perSeed[1]) / 2) < 1e-12);
  assert.equal(row.cells.sketch.n, 2);
  assert.ok(row.average.stderr !== null);
  for (
    const plot of [
      "accuracy_vs_dropout.svg",
      "ood_vs_dropout.svg",
      "iid_vs_ood.svg",
      "training_accuracy.svg",
      "training_loss.svg",
    ]
  ) {
    const svg = await Deno.readTextFile(`${out}/${plot}`);
    assert.ok(svg.startsWith("<svg") && svg.trimEnd().endsWith("</svg>"), plot);
    assert.ok(md.includes(`(${plot})`), `${plot} linked from report.md`);
  }
});

Deno.test("report selects by the oracle, states its findings from the table, and writes LaTeX", async () => {
  const out = await runReport({
    runs,
    linear_probe: probes,
    averages: [averaged.ctx.outDir],
    title: "Synthetic & co",
  });
  const json = JSON.parse(await Deno.readTextFile(`${out}/report.json`));
  // Oracle, by hand: per seed, the lr whose LAST checkpoint is best on sketch's out-split; its in-split.
  const summaries = await Promise.all(
    runs.map(async (d) => JSON.parse(await Deno.readTextFile(`${d}/summary.json`))),
  );
  const perSeed = [0, 1].map((seed) => {
    const mine = summaries.filter((s) =>
      s.params.seed === seed && s.params.dropout === 0 && s.test_domains[0] === "sketch"
    );
    const out = (s: typeof mine[0]) => s.last.accuracy.sketch.out;
    return mine.reduce((best, s) => (out(s) > out(best) ? s : best)).last.accuracy.sketch.in;
  });
  const oracle = json.tables.oracle.rows.find((r: { label: string }) =>
    r.label === "Fine-tune (p=0)"
  );
  assert.ok(Math.abs(oracle.cells.sketch.mean - (perSeed[0] + perSeed[1]) / 2) < 1e-12);
  // The findings quote the table: p = 0.9 against plain fine-tuning, with their values.
  const cell = (label: string) =>
    json.tables.ood.rows.find((r: { label: string }) => r.label === label).average;
  const [large, plain] = [cell("Fine-tune (p=0.9)"), cell("Fine-tune (p=0)")];
  const pct = (v: { mean: number }) => (100 * v.mean).toFixed(1);
  assert.ok(json.findings.includes(`Fine-tuning with p=0.9 reached ${pct(large)}`), json.findings);
  assert.ok(
    json.findings.includes(`against plain fine-tuning (p=0), ${pct(plain)}`),
    json.findings,
  );
  const verdict = large.mean > plain.mean ? /\*\*beat/ : /\*\*(did not beat|beat \d+ of)/;
  assert.match(json.findings, verdict);
  assert.match(json.findings, /WiSE-FT's alpha chosen by training-domain validation, over 8 runs/);
  const md = await Deno.readTextFile(`${out}/report.md`);
  assert.ok(md.indexOf("## Findings") < md.indexOf("## Test-domain (o.o.d.)"));
  assert.match(md, /## Test-domain accuracy with oracle selection/);
  assert.match(md, /lr ∈ \{0\.002, 0\.01\}, seeds \{0, 1\}; 40 steps/);
  const tex = await Deno.readTextFile(`${out}/report.tex`);
  assert.match(tex, /\\caption\{Synthetic \\& co: test-domain accuracy/);
  assert.match(tex, /Fine-tune \(p=0\.9\) & [\d.]+ \$\\pm\$ [\d.]+ & /);
});

Deno.test("report reads evaluate outputs and refuses empty input", async () => {
  const { default: evaluate } = await import("../evaluate/mod.ts");
  const ev = await testContext(evaluate, { model: runs.slice(0, 2), features });
  await evaluate.run(ev.ctx);
  const out = await runReport({ evaluations: [ev.ctx.outDir], plots: false });
  const md = await Deno.readTextFile(`${out}/report.md`);
  assert.ok(md.includes("| Ensemble (p=0) |"), md);
  assert.equal(report.schema.safeParse({}).success, false);
});

Deno.test("report refuses a rows_by or trials_by field no input has", async () => {
  await assert.rejects(
    runReport({ runs, rows_by: ["droput"] }),
    /Unknown rows_by field "droput": the inputs' parameters are .*"dropout"/,
  );
  await assert.rejects(
    runReport({ runs, trials_by: ["sed"] }),
    /Unknown trials_by field "sed": the inputs' parameters are .*"seed"/,
  );
  // A field only some inputs have is fine: WiSE-FT's alpha, absent from the runs.
  const out = await runReport({ runs, averages: [averaged.ctx.outDir], rows_by: ["alpha"] });
  const md = await Deno.readTextFile(`${out}/report.md`);
  assert.match(md, /\| WiSE-FT \(alpha=/);
});

Deno.test("report gives evaluations of other checkpoints than the selected one rows of their own", async () => {
  const { default: evaluate } = await import("../evaluate/mod.ts");
  const scored = async (checkpoint: string) => {
    const ev = await testContext(evaluate, { model: runs.slice(0, 2), features, checkpoint });
    await evaluate.run(ev.ctx);
    return ev.ctx.outDir;
  };
  const [selected, initial] = [await scored("selected"), await scored("initial")];
  const out = await runReport({ evaluations: [initial, selected], plots: false });
  const json = JSON.parse(await Deno.readTextFile(`${out}/report.json`));
  const ood = (label: string) =>
    json.tables.ood.rows.find((r: { label: string }) => r.label === label)?.cells.sketch.mean;
  const record = async (dir: string) =>
    JSON.parse(await Deno.readTextFile(`${dir}/evaluation.json`)).ood;
  assert.deepEqual(json.tables.ood.rows.map((r: { label: string }) => r.label), [
    "Ensemble (p=0)",
    "Ensemble (p=0, checkpoint=initial)",
  ]);
  assert.equal(ood("Ensemble (p=0)"), await record(selected));
  assert.equal(ood("Ensemble (p=0, checkpoint=initial)"), await record(initial));
});
