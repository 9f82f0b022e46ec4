import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { Journal } from "./journal.ts";
import { JournalReader } from "./journal_reader.ts";
import { recordRun, tempCache } from "./_test_runs.ts";

Deno.test("JournalReader reads as empty until the journal and its tables exist", async () => {
  await using cache = await tempCache();
  const reader = new JournalReader(cache);
  assert.equal(reader.exists, false);
  assert.deepEqual(reader.listRuns(), []);
  assert.equal(reader.getRun("x"), undefined);
  assert.equal(reader.lastEventId("x"), 0);
  assert.equal(reader.lastKeyedAttempt("demo", "a"), undefined);
  assert.equal(reader.keysToKeep(() => true).size, 0);
  // A runner that created the file but not the tables yet.
  new DatabaseSync(cache.journal).close();
  assert.deepEqual(reader.listRuns(), []);
  const writer = new Journal(cache);
  recordRun(writer, { id: "r1", stages: [{ id: "a" }] });
  assert.equal(reader.exists, true);
  assert.deepEqual(reader.listRuns().map((r) => r.id), ["r1"]);
  reader.close();
  writer.close();
});

Deno.test("JournalReader.metrics() thins long series and keeps the last point", async () => {
  await using cache = await tempCache();
  const writer = new Journal(cache);
  recordRun(writer, { id: "r1", stages: [{ id: "a" }] });
  for (let step = 0; step <= 1000; step++) writer.addMetrics("r1", "a", { step, loss: step });
  writer.flush();
  const reader = new JournalReader(cache);
  const loss = reader.metrics("r1", "a", 100).loss!;
  assert.ok(loss.length <= 101, String(loss.length));
  assert.deepEqual(loss[0], [0, 0]);
  assert.deepEqual(loss[loss.length - 1], [1000, 1000]);
  assert.equal(reader.metrics("r1", "a").loss!.length, 1001);
  reader.close();
  writer.close();
});

Deno.test("JournalReader uses the journal's indexes for its per-run queries", async () => {
  await using cache = await tempCache();
  const writer = new Journal(cache);
  recordRun(writer, { id: "r1", stages: [{ id: "a" }, { id: "b" }] });
  writer.close();
  // A second, independent connection asks SQLite for the query plans.
  const db = new DatabaseSync(cache.journal, { readOnly: true });
  const plans = [
    "SELECT * FROM stages WHERE run_id = ? ORDER BY seq",
    "SELECT * FROM events WHERE run_id = ? AND id > ? ORDER BY id LIMIT 5",
    "SELECT name, step, value FROM metrics WHERE run_id = ? AND stage_id = ? ORDER BY name, step",
    "SELECT state, count(*) FROM stages WHERE run_id = ? GROUP BY state",
    "SELECT key FROM stages WHERE key = ? AND state NOT IN ('pending', 'cached', 'skipped')",
    "SELECT * FROM stages WHERE stage_id = ? ORDER BY run_id DESC",
  ];
  for (const sql of plans) {
    const bound = sql.replace(/\?/g, "'r1'");
    const plan = db.prepare(`EXPLAIN QUERY PLAN ${bound}`).all().map((r) => String(r.detail));
    assert.ok(plan.some((d) => /USING (COVERING )?INDEX/.test(d)), `${sql}: ${plan.join("; ")}`);
    assert.ok(
      !plan.some((d) => /^SCAN (stages|events|metrics)$/.test(d)),
      `${sql}: ${plan.join("; ")}`,
    );
  }
  db.close();
});

Deno.test("JournalReader gives a reused stage the key inputs of the attempt that produced it", async () => {
  await using cache = await tempCache();
  const writer = new Journal(cache);
  recordRun(writer, { id: "r1", stages: [{ id: "a", key: "k1", keyInputs: '{"task":"shell"}' }] });
  recordRun(writer, { id: "r2", stages: [{ id: "a", key: "k1", state: "cached" }] });
  writer.close();
  const reader = new JournalReader(cache);
  const reused = reader.getStage("r2", "a")!;
  assert.equal(reused.state, "cached");
  assert.deepEqual(reused.keyInputs, { task: "shell" });
  assert.equal(reader.getStage("r2", "nope"), undefined);
  assert.deepEqual(reader.stageHistory("demo", "a").map((s) => s.runId), ["r2", "r1"]);
  assert.deepEqual(reader.lastKeyedAttempt("demo", "a")?.runId, "r1");
  reader.close();
});

Deno.test("JournalReader hides runs that reused every stage unless asked", async () => {
  await using cache = await tempCache();
  const writer = new Journal(cache);
  recordRun(writer, { id: "r1", stages: [{ id: "a", key: "k1" }, { id: "b", key: "k2" }] });
  // A later no-op run of another pipeline that references only k1: nothing prunes it.
  recordRun(writer, {
    id: "r2",
    pipeline: "other",
    stages: [{ id: "a", key: "k1", state: "cached" }],
  });
  writer.close();
  const reader = new JournalReader(cache);
  assert.deepEqual(reader.listRuns().map((r) => r.id), ["r1"]);
  assert.deepEqual(reader.listRuns({ noop: true }).map((r) => [r.id, r.noop]), [
    ["r2", true],
    ["r1", false],
  ]);
  assert.equal(reader.countNoopRuns(), 1);
  assert.deepEqual(reader.listRuns({ noop: true, before: "r2" }).map((r) => r.id), ["r1"]);
  reader.close();
});

Deno.test("JournalReader's stat cache never writes", async () => {
  await using cache = await tempCache();
  const writer = new Journal(cache);
  const stat = { size: 1, mtime: 2, ino: 3, digest: "d" };
  writer.fileStats.put("/a", stat);
  const reader = new JournalReader(cache);
  assert.deepEqual({ ...reader.fileStats.get("/a") }, stat);
  reader.fileStats.put("/b", stat);
  assert.equal(reader.fileStats.get("/b"), undefined);
  assert.equal(writer.fileStats.get("/b"), undefined);
  reader.close();
  writer.close();
});
