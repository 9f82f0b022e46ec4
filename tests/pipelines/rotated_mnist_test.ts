/**
 * pipelines/rotated_mnist.yaml end to end, shrunk with --set (fewer digits,
 * a narrow CNN, few steps) so it runs in seconds:
 * a cold run writes the report, a second run is entirely cached, and a run
 * killed with `kill -9` mid-way resumes without re-executing any stage whose
 * result was published, ending with the same report.
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { tempProject } from "../engine/_project.ts";
import { killThenResume } from "./_kill_resume.ts";
import { outputDir, reportTable, type StatusJson } from "./_report_table.ts";

const PIPELINE = fileURLToPath(new URL("../../pipelines/rotated_mnist.yaml", import.meta.url));

const SHRINK = {
  source_digits: 600,
  domain_digits: 1200,
  test_domains: '["0", "75"]',
  filters: "[4, 8]",
  width: 32,
  pretrain_steps: 60,
  pretrain_batch: 16,
  dropouts: "[0, 0.9]",
  lrs: "[0.01]",
  seeds: "[0, 1]",
  batch_size: 8,
  steps: 30,
  lr_decay_at: "[20]",
  eval_every: 10,
  lp_lrs: "[0.1]",
  lp_steps: 30,
  lp_lr_decay_at: "[20]",
  alphas: "[0, 0.5, 1]",
};
const ARGS = [
  PIPELINE,
  ...Object.entries(SHRINK).flatMap(([k, v]) => ["--set", `params.${k}=${v}`]),
];
// source + data + pretrain + features + 2 linear probes + 2 x 2 x 2 finetune + 2 x 2 average
// + report; every one distinct (the probes train on features, the runs a network).
const STAGES = 19;
const DISTINCT = 19;

Deno.test("pipelines/rotated_mnist.yaml runs shrunk, is cached, and resumes after kill -9", async (t) => {
  await using project = await tempProject({});
  let report = "";

  await t.step("a cold run writes the report", async () => {
    const cold = await project.run("run", ...ARGS);
    assert.equal(cold.code, 0, cold.stdout + cold.stderr);
    assert.match(
      cold.stdout,
      new RegExp(`rotated_mnist: ${DISTINCT} ran, ${STAGES - DISTINCT} cached, 0 failed`),
    );
    const status = JSON.parse(
      (await project.run("status", "--json", ...ARGS)).stdout,
    ) as StatusJson;
    assert.deepEqual(status.stages.filter((s) => s.state !== "cached"), []);
    const key = status.stages.find((s) => s.id === "report")!.key!;
    const { columns, rows } = await reportTable(project.cache, key);
    assert.deepEqual(columns, ["0", "75", "Avg"]);
    assert.deepEqual(rows.map((r) => r.label), [
      "Fine-tune (p=0)",
      "Fine-tune (p=0.9)",
      "Ensemble (p=0)",
      "Ensemble (p=0.9)",
      "Uniform soup (p=0)",
      "Uniform soup (p=0.9)",
      "Greedy soup (p=0)",
      "Greedy soup (p=0.9)",
      "WiSE-FT (p=0)",
      "WiSE-FT (p=0.9)",
      "Linear probe",
    ]);
    const [zero, last, average] = rows[0]!.cells.map((c) => Number(c.split(" ")[0]));
    assert.ok(zero! > 20 && last! > 20, `far above chance (10%) even shrunk: ${rows[0]!.cells}`);
    assert.ok(Math.abs(average! - (zero! + last!) / 2) < 0.11, "Avg is the mean of the columns");
    report = await Deno.readTextFile(join(outputDir(project.cache, key), "report.md"));
    // The title and description come from the params used, the findings from the table.
    assert.match(report, /^# RotatedMNIST: 1200 digits .* 32-d CNN pretrained on 600 other digits/);
    assert.match(report, /p ∈ \{0, 0\.9\}, lr ∈ \{0\.01\}, seeds \{0, 1\}; 30 steps/);
    assert.match(report, /## Findings\n\n.*Fine-tuning with p=0\.9 reached/);
    assert.match(report, /## Test-domain accuracy with oracle selection/);
    assert.ok(existsSync(join(outputDir(project.cache, key), "accuracy_vs_dropout.svg")));
  });

  await t.step("a second run is entirely cached", async () => {
    const warm = await project.run("run", ...ARGS);
    assert.equal(warm.code, 0, warm.stdout + warm.stderr);
    assert.match(warm.stdout, new RegExp(`rotated_mnist: 0 ran, ${STAGES} cached, 0 failed`));
  });

  await t.step("kill -9 mid-run, then a plain re-run finishes the rest", async () => {
    await killThenResume({ args: ARGS, stages: STAGES, distinct: DISTINCT, report });
  });
});
