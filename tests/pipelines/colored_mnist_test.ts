/**
 * pipelines/colored_mnist.yaml end to end, shrunk with --set: the report has
 * one column per colour environment, a second run is entirely cached, and a
 * run killed with `kill -9` mid-way resumes to the same report.
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import { tempProject } from "../engine/_project.ts";
import { killThenResume } from "./_kill_resume.ts";
import { outputDir, reportTable, type StatusJson } from "./_report_table.ts";

const PIPELINE = fileURLToPath(new URL("../../pipelines/colored_mnist.yaml", import.meta.url));

const SHRINK = {
  source_digits: 600,
  domain_digits: 900,
  filters: "[4, 8]",
  width: 32,
  pretrain_steps: 40,
  pretrain_batch: 16,
  dropouts: "[0, 0.9]",
  lrs: "[0.01]",
  seeds: "[0]",
  batch_size: 16,
  steps: 20,
  lr_decay_at: "[10]",
  eval_every: 10,
  lp_lrs: "[0.1]",
  lp_steps: 20,
  lp_lr_decay_at: "[10]",
  alphas: "[0, 0.5, 1]",
};
const ARGS = [
  PIPELINE,
  ...Object.entries(SHRINK).flatMap(([k, v]) => ["--set", `params.${k}=${v}`]),
];
// source + data + pretrain + features + 3 linear probes + 3 x 2 finetune + 3 x 2 average + report;
// every one distinct (the probes train on features, the runs a network).
const STAGES = 20;
const DISTINCT = 20;

Deno.test("pipelines/colored_mnist.yaml runs shrunk with a column per environment, is cached, and resumes after kill -9", async () => {
  await using project = await tempProject({});
  const cold = await project.run("run", ...ARGS);
  assert.equal(cold.code, 0, cold.stdout + cold.stderr);
  assert.match(
    cold.stdout,
    new RegExp(`colored_mnist: ${DISTINCT} ran, ${STAGES - DISTINCT} cached, 0 failed`),
  );
  const status = JSON.parse((await project.run("status", "--json", ...ARGS)).stdout) as StatusJson;
  assert.deepEqual(status.stages.filter((s) => s.state !== "cached"), []);
  const key = status.stages.find((s) => s.id === "report")!.key!;
  const { columns, rows } = await reportTable(project.cache, key);
  assert.deepEqual(columns, ["+80%", "+90%", "-90%", "Avg"]);
  assert.deepEqual(rows.slice(0, 2).map((r) => r.label), ["Fine-tune (p=0)", "Fine-tune (p=0.9)"]);
  assert.equal(rows.length, 11);
  assert.equal(rows.at(-1)!.label, "Linear probe");

  const warm = await project.run("run", ...ARGS);
  assert.equal(warm.code, 0, warm.stdout + warm.stderr);
  assert.match(warm.stdout, new RegExp(`colored_mnist: 0 ran, ${STAGES} cached, 0 failed`));

  const report = await Deno.readTextFile(join(outputDir(project.cache, key), "report.md"));
  await killThenResume({ args: ARGS, stages: STAGES, distinct: DISTINCT, report });
});
