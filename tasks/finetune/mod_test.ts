import assert from "node:assert/strict";
import finetune from "./mod.ts";
import type { FinetuneParams } from "../_shared/finetune_params.ts";
import { readTree, writeSyntheticFeatures } from "../_testing/fixtures.ts";
import { testContext } from "../_testing/test_context.ts";
import { TaskError } from "@dropline/task";

const features = await writeSyntheticFeatures();
const base = {
  features,
  test_domains: ["sketch"],
  dropout: 0.9,
  lr: 0.01,
  steps: 120,
  eval_every: 30,
  batch_size: 16,
  seed: 1,
};

Deno.test("finetune trains a p=0.9 head and selects the checkpoint by training-domain validation", async () => {
  const run = await testContext<FinetuneParams>(finetune, base);
  await finetune.run(run.ctx);
  const out = run.ctx.outDir;
  for (const file of finetune.outputs(run.ctx.params)) await Deno.stat(`${out}/${file}`);
  const summary = JSON.parse(await Deno.readTextFile(`${out}/summary.json`));
  assert.deepEqual(summary.test_domains, ["sketch"]);
  assert.deepEqual(summary.train_domains, ["art", "cartoon", "photo"]);
  assert.ok(summary.selected.ood > 0.8, `o.o.d. ${summary.selected.ood}`);
  assert.ok(Math.abs(summary.effective_lr - 0.1) < 1e-12);
  assert.equal(summary.params.dropout, 0.9);
  assert.deepEqual(finetune.headline?.read(summary), {
    val_acc: summary.selected.val_acc,
    test_acc: summary.selected.ood,
  });
  const records = (await Deno.readTextFile(`${out}/metrics.jsonl`)).trim().split("\n").map((l) =>
    JSON.parse(l)
  );
  const evals = records.filter((r) => "val_acc" in r);
  assert.deepEqual(evals.map((r) => r.step), [0, 30, 60, 90, 120]);
  const bestVal = Math.max(...evals.map((r) => r.val_acc));
  assert.equal(summary.selected.step, evals.find((r) => r.val_acc === bestVal).step);
  assert.equal(summary.selected.val_acc, bestVal);
  assert.ok(Math.abs(summary.selected.iid - bestVal) < 1e-9, "i.i.d. is the validation score");
  assert.ok("acc_sketch" in evals[1] && "loss" in evals[1] && evals[1].dropout === 0.9);
  assert.equal(run.metrics.length, records.length);
  assert.equal(run.progress.at(-1)?.done, 120);
  // The stage page shows the log: it tells the course of training and ends with the result.
  assert.match(run.logs[0]!, /^Training a head .* dropout 0\.9\) on \d+ rows of \d+-d features/);
  assert.deepEqual(run.logs.filter((l) => l.startsWith("Step ")).length, evals.length);
  const pct = (v: number) => `${(100 * v).toFixed(1)}%`;
  assert.equal(
    run.logs.at(-1),
    `Selected step ${summary.selected.step} by training-domain validation (val ${
      pct(summary.selected.val_acc)
    }): i.i.d. ${pct(summary.selected.iid)}, o.o.d. ${pct(summary.selected.ood)}; last step 120: ` +
      `i.i.d. ${pct(summary.last.iid)}, o.o.d. ${pct(summary.last.ood)}`,
  );
});

Deno.test("finetune killed mid-training resumes to the same outputs as an uninterrupted run", async () => {
  const whole = await testContext<FinetuneParams>(finetune, base);
  await finetune.run(whole.ctx);
  const first = await testContext<FinetuneParams>(finetune, base);
  first.ctx.progress = (p) => {
    if (p.done === 70) first.controller.abort();
  };
  await assert.rejects(() => finetune.run(first.ctx), TaskError);
  const again = await testContext<FinetuneParams>(finetune, base, {
    checkpointDir: first.ctx.checkpointDir,
  });
  await finetune.run(again.ctx);
  assert.equal(again.metrics[0]?.step, 70, "continued after the step-60 checkpoint");
  const [a, b] = [await readTree(whole.ctx.outDir), await readTree(again.ctx.outDir)];
  assert.deepEqual([...b.keys()].sort(), [...a.keys()].sort());
  for (const [path, bytes] of a) assert.deepEqual(b.get(path), bytes, `${path} differs`);
});

Deno.test("finetune names an unknown test domain", async () => {
  const run = await testContext<FinetuneParams>(finetune, { ...base, test_domains: ["moon"] });
  await assert.rejects(() => finetune.run(run.ctx), /Unknown test domain "moon"/);
});

Deno.test("finetune's schema wants features or a backbone with a data set", () => {
  assert.equal(finetune.schema.safeParse({ test_domains: [0] }).success, false);
  assert.equal(finetune.schema.safeParse({ ...base, backbone: "b", dataset: "d" }).success, false);
  assert.equal(finetune.schema.safeParse({ ...base, dropout: 1 }).success, false);
});

Deno.test("finetune logs the scheduled dropout rate: late dropout starts at the cutoff", async () => {
  const schedule = { kind: "late", cutoff: 60 };
  const run = await testContext<FinetuneParams>(finetune, { ...base, schedule, log_every: 10 });
  await finetune.run(run.ctx);
  const rates = run.metrics.filter((r) => r.step > 0).map((r) => [r.step, r.dropout]);
  // A record at step s covers steps s-10 .. s-1 and shows the rate of the last of them.
  assert.deepEqual(rates.filter(([s]) => s! <= 60).map(([, d]) => d), [0, 0, 0, 0, 0, 0]);
  assert.ok(rates.filter(([s]) => s! > 60).every(([, d]) => d === 0.9));
});

const DOMAINBED = {
  scale: [0.7, 1],
  ratio: [3 / 4, 4 / 3],
  flip: 0.5,
  brightness: 0.3,
  contrast: 0.3,
  saturation: 0.3,
  hue: 0.3,
  grayscale: 0.1,
};

Deno.test("finetune's schema spells out the recipe's defaults, so keys cover them", () => {
  const parse = (input: unknown) => finetune.schema.parse(input) as FinetuneParams;
  const p = parse({ backbone: "b", dataset: "d", test_domains: "sketch" });
  assert.deepEqual(
    [p.train, p.batchnorm, p.augment, p.micro_batch],
    ["all", "frozen_stats", "auto", undefined],
  );
  const custom = parse({
    backbone: "b",
    dataset: "d",
    test_domains: "sketch",
    train: { last_blocks: 2 },
    augment: { hue: 0 },
    micro_batch: null,
  });
  assert.deepEqual(custom.train, { last_blocks: 2 });
  assert.deepEqual(custom.augment, { ...DOMAINBED, hue: 0 }, "the others are DomainBed's");
  assert.equal(finetune.schema.safeParse({ ...custom, train: { last_blocks: 0 } }).success, false);
  assert.equal(finetune.schema.safeParse({ ...custom, batchnorm: "eval" }).success, false);
});

/** Each refused field of a `with`, as "path: message". */
function problems(input: unknown): string[] {
  const result = finetune.schema.safeParse(input);
  return result.success ? [] : result.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
}

Deno.test("finetune refuses data whose training domain has no held-out rows to select on", async () => {
  const none = await writeSyntheticFeatures({ holdout: 0 });
  const run = await testContext<FinetuneParams>(finetune, { ...base, features: none });
  await assert.rejects(
    () => finetune.run(run.ctx),
    (error: Error) => {
      assert.ok(error instanceof TaskError);
      assert.match(error.message, /^Training domains "art", "cartoon", "photo" have no held-out/);
      assert.match(error.message, /`holdout_fraction` above 0/);
      return true;
    },
  );
});

Deno.test("finetune's schema refuses each backbone-only field on the features path", () => {
  const given = {
    ...base,
    layer: "x",
    train: { last_blocks: 2 },
    batchnorm: "train",
    augment: true,
    micro_batch: 8,
    eval_batch: 500,
    backend: "cpu",
  };
  assert.deepEqual(
    problems(given),
    ["layer", "train", "batchnorm", "augment", "micro_batch", "eval_batch", "backend"].map((f) =>
      `${f}: \`${f}\` needs \`backbone\`: with \`features\` only a head trains`
    ),
  );
  assert.deepEqual(
    problems({ ...base, hidden: [64] }),
    [],
    "hidden layers are the features path's",
  );
});

Deno.test("finetune's schema refuses a hidden head layer on the backbone path", () => {
  const { features: _, ...rest } = base;
  assert.deepEqual(problems({ ...rest, backbone: "b", dataset: "d", hidden: [64] }), [
    "hidden: A hidden head layer needs `features`: the backbone path's head is dropout → dense",
  ]);
});

Deno.test("finetune's schema wants a cutoff inside the run for early and late schedules", () => {
  const early = "schedule.cutoff: The `early` schedule stops dropout at step `cutoff`: " +
    "expected a step from 1 to 119 (`steps` is 120)";
  assert.deepEqual(problems({ ...base, schedule: { kind: "early" } }), [early]);
  assert.deepEqual(problems({ ...base, schedule: { kind: "early", cutoff: 120 } }), [early]);
  assert.deepEqual(problems({ ...base, steps: 20, schedule: { kind: "late", cutoff: 500 } }), [
    "schedule.cutoff: The `late` schedule starts dropout at step `cutoff`: " +
    "expected a step from 1 to 19 (`steps` is 20)",
  ]);
  assert.deepEqual(problems({ ...base, schedule: { kind: "late", cutoff: 119 } }), []);
  assert.deepEqual(problems({ ...base, schedule: { kind: "constant", cutoff: 50 } }), [
    "schedule.cutoff: `cutoff` applies to `early` and `late` schedules only",
  ]);
  assert.deepEqual(problems({ ...base, schedule: { kind: "late", cutoff: 5, decay: "linear" } }), [
    "schedule.decay: `decay` applies to `early` schedules only",
  ]);
});

Deno.test("finetune's schema lists the accepted forms of `train`", () => {
  const { features: _, ...rest } = base;
  const network = { ...rest, backbone: "b", dataset: "d" };
  for (const train of ["last_blocks", { blocks: 2 }, 2]) {
    assert.deepEqual(problems({ ...network, train }), [
      "train: Expected `all`, `head` or `{last_blocks: N}` (N a positive integer)",
    ]);
  }
  assert.deepEqual(problems({ ...network, train: { last_blocks: 2 } }), []);
});
