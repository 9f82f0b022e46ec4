import assert from "node:assert/strict";
import { DEMO, FixtureJournal, writeDemoCache } from "./_fixture.ts";
import { JournalReader } from "./queries.ts";

Deno.test("JournalReader reads as empty until the journal and its tables exist", async () => {
  const cacheDir = await Deno.makeTempDir();
  const reader = new JournalReader(`${cacheDir}/journal.db`);
  assert.deepEqual(reader.listRuns(), []);
  assert.equal(reader.getRun("x"), undefined);
  assert.equal(reader.lastEventId("x"), 0);
  const writer = new FixtureJournal(cacheDir);
  writer.addRun({ id: "r1" }, [{ id: "a" }]);
  assert.deepEqual(reader.listRuns().map((r) => r.id), ["r1"]);
  reader.close();
  writer.close();
});

Deno.test("JournalReader.metrics() thins long series and keeps the last point", async () => {
  const cacheDir = await Deno.makeTempDir();
  const writer = new FixtureJournal(cacheDir);
  writer.addRun({ id: "r1" }, [{ id: "a" }]);
  writer.addMetrics("r1", "a", Array.from({ length: 1001 }, (_, step) => ({ step, loss: step })));
  const reader = new JournalReader(`${cacheDir}/journal.db`);
  const loss = reader.metrics("r1", "a", 100).loss!;
  assert.ok(loss.length <= 101, String(loss.length));
  assert.deepEqual(loss[0], [0, 0]);
  assert.deepEqual(loss[loss.length - 1], [1000, 1000]);
  reader.close();
  writer.close();
});

Deno.test("JournalReader uses the journal's indexes for its per-run queries", async () => {
  const cacheDir = await Deno.makeTempDir();
  writeDemoCache(cacheDir).close();
  const reader = new JournalReader(`${cacheDir}/journal.db`);
  reader.listRuns();
  // A second, independent connection asks SQLite for the query plans.
  const { DatabaseSync } = await import("node:sqlite");
  const db = new DatabaseSync(`${cacheDir}/journal.db`, { readOnly: true });
  const plans = [
    "SELECT * FROM stages WHERE run_id = ? ORDER BY seq",
    "SELECT * FROM events WHERE run_id = ? AND id > ? ORDER BY id LIMIT 5",
    "SELECT name, step, value FROM metrics WHERE run_id = ? AND stage_id = ? ORDER BY name, step",
    "SELECT state, count(*) FROM stages WHERE run_id = ? GROUP BY state",
  ];
  for (const sql of plans) {
    const bound = sql.replace(/\?/g, `'${DEMO.run}'`);
    const plan = db.prepare(`EXPLAIN QUERY PLAN ${bound}`).all().map((r) => String(r.detail));
    assert.ok(plan.some((d) => /USING (COVERING )?INDEX/.test(d)), `${sql}: ${plan.join("; ")}`);
    assert.ok(
      !plan.some((d) => /^SCAN (stages|events|metrics)$/.test(d)),
      `${sql}: ${plan.join("; ")}`,
    );
  }
  db.close();
  reader.close();
});
