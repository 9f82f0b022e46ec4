/**
 * `exp` and `diff` on real runs: a small fine-tuning sweep over synthetic
 * features, run twice with different learning rates.
 */
import assert from "node:assert/strict";
import { tempProject } from "../engine/_project.ts";
import { writeSyntheticFeatures } from "../../tasks/_testing/fixtures.ts";

const features = await writeSyntheticFeatures({ perDomain: 60 });

const PIPELINE = `
name: tiny_sweep
params:
  lr: 0.01
stages:
  finetune:
    task: finetune
    matrix:
      dropout: [0.5, 0.9]
    with:
      features: ${features}
      test_domains: [sketch]
      dropout: \${{ matrix.dropout }}
      seed: 0
      lr: \${{ params.lr }}
      steps: 20
      eval_every: 10
      batch_size: 8
  notes:
    task: shell
    with:
      run: echo done > "$OUT/n.txt"
      outputs: [n.txt]
`;

Deno.test("exp shows a run's sweep as JSON, CSV and text; diff names what changed and what re-ran", async () => {
  await using p = await tempProject({ "p.yaml": PIPELINE });
  const first = await p.run("run", "p.yaml");
  assert.equal(first.code, 0, first.stderr);

  const json = await p.run("exp", "p.yaml", "--json");
  assert.equal(json.code, 0, json.stderr);
  const table = JSON.parse(json.stdout);
  assert.deepEqual(Object.keys(table), ["run", "columns", "rows"]);
  assert.deepEqual(Object.keys(table.run), [
    "id",
    "pipeline",
    "state",
    "startedAt",
    "endedAt",
    "argv",
  ]);
  assert.deepEqual(table.columns, {
    matrix: ["dropout"],
    params: [],
    metrics: ["val_acc", "test_acc"],
  });
  // Only stages whose task declares headline metrics, unless asked.
  assert.deepEqual(table.rows.map((r: { stage: string }) => r.stage), [
    "finetune[dropout=0.5]",
    "finetune[dropout=0.9]",
  ]);
  const row = table.rows[0];
  assert.deepEqual(Object.keys(row), [
    "stage",
    "name",
    "task",
    "matrix",
    "params",
    "metrics",
    "state",
    "reason",
    "durationMs",
    "producedBy",
    "outPath",
    "metricsError",
  ]);
  assert.equal(row.params.lr, 0.01);
  assert.equal(row.state, "succeeded");
  assert.ok(row.durationMs > 0);
  const summary = JSON.parse(await Deno.readTextFile(`${row.outPath}/summary.json`));
  assert.deepEqual(row.metrics, {
    val_acc: summary.selected.val_acc,
    test_acc: summary.selected.ood,
  });

  const csv = await p.run("exp", "p.yaml", "--csv", "--all", "--sort", "test_acc:desc");
  const lines = csv.stdout.trimEnd().split("\n");
  assert.equal(lines[0], "id,stage,task,state,duration_ms,dropout,val_acc,test_acc");
  assert.equal(lines.length, 4);
  assert.match(lines.at(-1)!, /^notes,notes,shell,succeeded,\d+,,,$/, "no metrics: last");

  const filtered = await p.run("exp", "p.yaml", "--filter", "dropout>=0.9");
  assert.equal(filtered.code, 0, filtered.stderr);
  assert.ok(
    filtered.stdout.includes("finetune (1 row)\ndropout  val_acc  test_acc  state      time\n"),
    filtered.stdout,
  );
  assert.match(filtered.stdout, /^ +0\.9 +\d\.\d{4} +\d\.\d{4} +succeeded +\d/m);
  const bad = await p.run("exp", "p.yaml", "--filter", "dropuot>0.5");
  assert.equal(bad.code, 2);
  assert.equal(bad.stderr, 'exp: --filter: no column "dropuot" (did you mean "dropout"?)\n');

  const second = await p.run("run", "p.yaml", "--set", "params.lr=0.05");
  assert.equal(second.code, 0, second.stderr);
  const mine = await p.run("exp", "p.yaml", "--set", "params.lr=0.05", "--json");
  assert.equal(JSON.parse(mine.stdout).rows[0].params.lr, 0.05);
  const firstAgain = await p.run("exp", "--run", table.run.id, "--json");
  assert.equal(JSON.parse(firstAgain.stdout).rows[0].params.lr, 0.01);

  const diff = await p.run("diff", table.run.id, "p.yaml", "--json");
  assert.equal(diff.code, 0, diff.stderr);
  const d = JSON.parse(diff.stdout);
  assert.deepEqual(d.b.sets, ["params.lr=0.05"]);
  assert.deepEqual(d.changed.map((c: { params: unknown }) => c.params), [
    [{ key: "lr", a: 0.01, b: 0.05 }],
    [{ key: "lr", a: 0.01, b: 0.05 }],
  ]);
  assert.deepEqual(d.reran.map((r: { stage: string; reason: string }) => [r.stage, r.reason]), [
    ["finetune[dropout=0.5]", 'param "lr" changed from 0.01 to 0.05'],
    ["finetune[dropout=0.9]", 'param "lr" changed from 0.01 to 0.05'],
  ]);
  const text = await p.run("diff", "p.yaml");
  const diffLines = text.stdout.split("\n");
  assert.ok(text.stdout.includes("\noverrides\n  + --set params.lr=0.05\n"), text.stdout);
  assert.ok(diffLines.includes("  finetune (2 expansions)  lr  0.01 → 0.05"), text.stdout);
  assert.ok(
    text.stdout.includes(
      "\nre-ran in b (2)\n  finetune[dropout=0.5], finetune[dropout=0.9] (2 stages): " +
        'param "lr" changed from 0.01 to 0.05\n',
    ),
    text.stdout,
  );
  assert.doesNotMatch(text.stdout, /notes/, "the reused shell stage did not change");
});
