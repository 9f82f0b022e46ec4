import assert from "node:assert/strict";
import { numberAt } from "@dropline/task";
import { Journal } from "../journal/journal.ts";
import { JournalReader } from "../journal/journal_reader.ts";
import { tempCache } from "../journal/_test_runs.ts";
import { readSweep } from "./read_sweep.ts";
import { recordSweepRun } from "./_test_sweep.ts";

const TASKS = new Map([
  ["train", {
    headline: {
      file: "summary.json",
      read: (c: unknown) => ({ val_acc: numberAt(c, "best.val"), test_acc: numberAt(c, "ood") }),
    },
  }],
  ["prepare", {}],
]);

Deno.test("readSweep() gives one row per expansion with matrix, params, metrics, state and duration", async () => {
  await using cache = await tempCache();
  const writer = new Journal(cache);
  await recordSweepRun(writer, cache.root, {
    id: "r1",
    stages: [
      { id: "data", task: "prepare", output: { "data.json": {} }, startedAt: 0, endedAt: 50 },
      ...[0.5, 0.9].map((p) => ({
        id: `train[p=${p}]`,
        name: "train",
        matrix: { p },
        params: { dropout: p, lr: 0.1, data: "<out:data>" },
        output: { "summary.json": { best: { val: p }, ood: p / 2 } },
        startedAt: 100,
        endedAt: 1100,
      })),
      { id: "train[p=0.99]", name: "train", matrix: { p: 0.99 }, state: "failed" },
    ],
  });
  writer.close();
  const reader = new JournalReader(cache);
  const rows = await readSweep(reader, "r1", { tasks: TASKS });
  assert.deepEqual(rows.map((r) => r.stage), [
    "data",
    "train[p=0.5]",
    "train[p=0.9]",
    "train[p=0.99]",
  ]);
  const [data, half, , failed] = rows;
  assert.deepEqual(data!.metrics, {});
  assert.equal(data!.durationMs, 50);
  assert.deepEqual(half, {
    stage: "train[p=0.5]",
    name: "train",
    task: "train",
    matrix: { p: 0.5 },
    params: { data: "<out:data>", dropout: 0.5, lr: 0.1 },
    metrics: { val_acc: 0.5, test_acc: 0.25 },
    state: "succeeded",
    reason: "no previous run",
    durationMs: 1000,
    producedBy: "r1",
    outPath: `${cache.root}/key-train[p=0.5]`,
    metricsError: null,
  });
  assert.equal(failed!.state, "failed");
  assert.deepEqual(failed!.metrics, {});
  const only = await readSweep(reader, "r1", { tasks: TASKS, stages: ["data"] });
  assert.deepEqual(only.map((r) => r.stage), ["data"]);
  assert.deepEqual(await readSweep(reader, "nope", { tasks: TASKS }), []);
  reader.close();
});

Deno.test("readSweep() credits a reused result to the run that produced it", async () => {
  await using cache = await tempCache();
  const writer = new Journal(cache);
  const summary = { "summary.json": { best: { val: 0.8 }, ood: 0.7 } };
  await recordSweepRun(writer, cache.root, {
    id: "r1",
    stages: [{ id: "train", output: summary, startedAt: 10, endedAt: 4010 }],
  });
  await recordSweepRun(writer, cache.root, {
    id: "r2",
    stages: [{ id: "train", state: "cached", output: summary }],
  });
  writer.close();
  const reader = new JournalReader(cache);
  const [row] = await readSweep(reader, "r2", { tasks: TASKS });
  assert.equal(row!.state, "cached");
  assert.equal(row!.producedBy, "r1");
  assert.equal(row!.durationMs, 4000);
  assert.deepEqual(row!.metrics, { val_acc: 0.8, test_acc: 0.7 });
  reader.close();
});

Deno.test("readSweep() says which output file it could not read", async () => {
  await using cache = await tempCache();
  const writer = new Journal(cache);
  await recordSweepRun(writer, cache.root, {
    id: "r1",
    stages: [
      { id: "bad", output: { "summary.json": "{not json" } },
      { id: "gone", output: { "other.json": {} } },
    ],
  });
  writer.close();
  const reader = new JournalReader(cache);
  const [bad, gone] = await readSweep(reader, "r1", { tasks: TASKS });
  assert.match(bad!.metricsError!, /summary\.json" is not valid JSON/);
  assert.match(gone!.metricsError!, /summary\.json" cannot be read/);
  assert.deepEqual(gone!.metrics, {});
  reader.close();
});
