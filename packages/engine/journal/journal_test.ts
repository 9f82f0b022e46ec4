import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { Journal } from "./journal.ts";
import { JournalReader } from "./journal_reader.ts";
import { recordRun, tempCache } from "./_test_runs.ts";

const ROW = {
  stageName: "a",
  seq: 0,
  matrix: "{}",
  task: "shell",
  taskVersion: 1,
  needs: "[]",
  params: "{}",
  state: "pending" as const,
  reason: "waiting to start",
};

function count(path: string, table: string): number {
  const db = new DatabaseSync(path, { readOnly: true });
  try {
    return Number(db.prepare(`SELECT count(*) AS n FROM ${table}`).get()!.n);
  } finally {
    db.close();
  }
}

Deno.test("Journal writes a stage that ends before its row is written once, already final", async () => {
  await using cache = await tempCache();
  const journal = new Journal(cache, { now: () => 1000 });
  journal.startRun({
    id: "r1",
    pipeline: "demo",
    file: "/p.yaml",
    argv: [],
    host: "h",
    stages: [
      { ...ROW, stageId: "a" },
      { ...ROW, stageId: "b" },
    ],
  });
  const reader = new JournalReader(cache);
  assert.equal(reader.getRun("r1")?.state, "running", "the run is visible at once");
  assert.deepEqual(reader.listStages("r1"), [], "its rows follow with the next flush");
  journal.updateStage("r1", "a", { state: "cached", key: "k", reason: "stored" });
  journal.flush();
  assert.deepEqual(reader.listStages("r1").map((s) => [s.id, s.state]), [
    ["a", "cached"],
    ["b", "pending"],
  ]);
  // Only the run's own event: the cached row appeared already final.
  assert.deepEqual(reader.eventsAfter("r1", 0).map((e) => [e.stageId, e.state]), [[
    null,
    "running",
  ]]);
  journal.updateStage("r1", "b", { state: "running", startedAt: 1000 });
  journal.updateStage("r1", "b", { progress: '{"done":1}' });
  journal.updateStage("r1", "b", { state: "succeeded", endedAt: 2000 });
  journal.endRun("r1", "succeeded", { noop: false });
  assert.deepEqual(reader.eventsAfter("r1", 1).map((e) => [e.stageId, e.state]), [
    ["b", "running"],
    ["b", "succeeded"],
    [null, "succeeded"],
  ]);
  const b = reader.getStage("r1", "b")!;
  assert.deepEqual([b.startedAt, b.endedAt, b.progress], [1000, 2000, { done: 1 }]);
  assert.deepEqual(
    [reader.getRun("r1")?.state, reader.getRun("r1")?.endedAt, reader.getRun("r1")?.noop],
    ["succeeded", 1000, false],
  );
  reader.close();
  journal.close();
});

Deno.test("Journal flushes on its own within a short delay", async () => {
  await using cache = await tempCache();
  const journal = new Journal(cache);
  recordRun(journal, { id: "r1", stages: [{ id: "a" }] });
  journal.addMetrics("r1", "a", { step: 3, loss: 0.5, nan: NaN });
  const reader = new JournalReader(cache);
  for (let i = 0; i < 100 && !reader.metrics("r1", "a").loss; i++) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  assert.deepEqual(
    reader.metrics("r1", "a"),
    { loss: [[3, 0.5]] },
    "non-finite values are dropped",
  );
  reader.close();
  journal.close();
});

Deno.test("Journal.reapDeadRuns() marks runs of dead runners on this host interrupted", async () => {
  await using cache = await tempCache();
  const journal = new Journal(cache);
  journal.startRun({
    id: "r1",
    pipeline: "demo",
    file: "/p.yaml",
    argv: [],
    host: "h",
    stages: [
      { ...ROW, stageId: "a" },
      { ...ROW, stageId: "b" },
    ],
  });
  journal.updateStage("r1", "a", { state: "running" });
  journal.flush();
  const reader = new JournalReader(cache);
  journal.reapDeadRuns("h", () => true);
  journal.reapDeadRuns("other-host", () => false);
  assert.equal(reader.getRun("r1")?.state, "running", "alive, or another host's to judge");
  journal.reapDeadRuns("h", () => false);
  assert.equal(reader.getRun("r1")?.state, "interrupted");
  assert.deepEqual(reader.listStages("r1").map((s) => [s.state, s.reason]), [
    ["interrupted", "the run died"],
    ["pending", "waiting to start"],
  ]);
  assert.equal(reader.eventsAfter("r1", 0).at(-1)?.state, "interrupted");
  reader.close();
  journal.close();
});

Deno.test("Journal.batch() makes everything it records visible at once", async () => {
  await using cache = await tempCache();
  const journal = new Journal(cache);
  const reader = new JournalReader(cache);
  recordRun(journal, { id: "r0", stages: [{ id: "a" }] });
  await journal.batch(async () => {
    recordRun(journal, { id: "r1", stages: [{ id: "a" }] });
    await Promise.resolve();
    assert.deepEqual(reader.listRuns().map((r) => r.id), ["r0"], "the open transaction is unseen");
  });
  assert.deepEqual(reader.listRuns().map((r) => r.id), ["r1", "r0"]);
  await assert.rejects(
    journal.batch(() => {
      recordRun(journal, { id: "r2", stages: [{ id: "a" }] });
      throw new Error("fixture failed");
    }),
    /fixture failed/,
  );
  assert.deepEqual(reader.listRuns().map((r) => r.id), ["r1", "r0"], "rolled back");
  recordRun(journal, { id: "r3", stages: [{ id: "a" }] });
  assert.equal(count(cache.journal, "runs"), 3, "the writer still works after a rollback");
  reader.close();
  journal.close();
});

Deno.test("Journal keeps the store's index of objects: recorded, read back, forgotten", async () => {
  await using cache = await tempCache();
  const journal = new Journal(cache);
  const manifest = {
    format: 1,
    key: "k1",
    digest: "d1",
    files: [{ path: "a.txt", size: 1, mtime: 2, ino: 3, sha256: "s" }],
    createdAt: 4,
  };
  journal.objects.record(manifest);
  assert.deepEqual(journal.objects.manifest("k1"), manifest, "before the flush");
  journal.flush();
  const reader = new JournalReader(cache);
  assert.deepEqual(reader.objects.manifest("k1"), manifest);
  reader.objects.record({ ...manifest, key: "k2" }); // a reader's index writes nothing
  journal.objects.forget("k1");
  assert.equal(journal.objects.manifest("k1"), undefined);
  journal.flush();
  reader.close();
  assert.equal(reader.objects.manifest("k1"), undefined);
  assert.equal(reader.objects.manifest("k2"), undefined);
  reader.close();
  journal.close();
});

Deno.test("the objects index reads the whole table once a pipeline looks up many keys", async () => {
  await using cache = await tempCache();
  const journal = new Journal(cache);
  const manifest = (i: number) => ({
    format: 1,
    key: `k${i}`,
    digest: `d${i}`,
    files: [],
    createdAt: i,
  });
  for (let i = 0; i < 600; i++) journal.objects.record(manifest(i));
  journal.flush();
  const reader = new JournalReader(cache);
  // The first few hundred are point queries, the rest come from one read of the table.
  for (let i = 0; i < 600; i++) assert.equal(reader.objects.manifest(`k${i}`)?.digest, `d${i}`);
  assert.equal(reader.objects.manifest("k600"), undefined);
  reader.close();
  journal.close();
});
