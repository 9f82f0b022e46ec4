import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { Journal } from "./journal.ts";
import { JournalReader } from "./journal_reader.ts";
import { recordRun, tempCache, type TestStage } from "./_test_runs.ts";

const cached = (...keys: string[]): TestStage[] =>
  keys.map((key, i) => ({ id: `s${i}`, key, state: "cached" }));

function rowCounts(path: string): Record<string, number> {
  const db = new DatabaseSync(path, { readOnly: true });
  try {
    return Object.fromEntries(
      ["runs", "stages", "events"].map((t) => [
        t,
        Number(db.prepare(`SELECT count(*) AS n FROM ${t}`).get()!.n),
      ]),
    );
  } finally {
    db.close();
  }
}

Deno.test("repeated no-op runs leave one no-op run in the journal", async () => {
  await using cache = await tempCache();
  const journal = new Journal(cache);
  const stages = ["k1", "k2", "k3"];
  recordRun(journal, { id: "r0", stages: stages.map((key, i) => ({ id: `s${i}`, key })) });
  assert.deepEqual(recordRun(journal, { id: "r1", stages: cached(...stages) }), []);
  const after = rowCounts(cache.journal);
  for (const id of ["r2", "r3", "r4"]) {
    const previous = `r${Number(id[1]) - 1}`;
    assert.deepEqual(recordRun(journal, { id, stages: cached(...stages) }), [previous]);
  }
  assert.deepEqual(rowCounts(cache.journal), after, "the journal stopped growing");
  const reader = new JournalReader(cache);
  assert.deepEqual(reader.listRuns({ noop: true }).map((r) => r.id), ["r4", "r0"]);
  assert.deepEqual(reader.eventsAfter("r3", 0), [], "a pruned run's events go with it");
  reader.close();
  journal.close();
});

Deno.test("a no-op run is kept while no later run references all its keys", async () => {
  await using cache = await tempCache();
  const journal = new Journal(cache);
  recordRun(journal, { id: "r0", stages: [{ id: "a", key: "k1" }, { id: "b", key: "k2" }] });
  recordRun(journal, { id: "r1", stages: cached("k1", "k2") });
  // A later run (a failure, with another key for b) references k1 only: r1 still matters to gc.
  assert.deepEqual(
    recordRun(journal, {
      id: "r2",
      state: "failed",
      stages: [{ id: "s0", key: "k1", state: "cached" }, { id: "s1", key: "k3", state: "failed" }],
    }),
    [],
  );
  // Another pipeline with the same keys never prunes this one's runs.
  assert.deepEqual(
    recordRun(journal, { id: "r3", pipeline: "other", stages: cached("k1", "k2") }),
    [],
  );
  // A later executed run that references every key of the no-op run supersedes it.
  assert.deepEqual(
    recordRun(journal, { id: "r4", stages: [{ id: "s0", key: "k1" }, { id: "s1", key: "k2" }] }),
    ["r1"],
  );
  journal.close();
});

Deno.test("pruning no-op runs keeps every key gc kept", async () => {
  await using cache = await tempCache();
  // Runs start one millisecond apart, as gc's "latest success" compares start times.
  let clock = 0;
  const journal = new Journal(cache, { now: () => ++clock });
  const reader = new JournalReader(cache);
  const keep = () => [...reader.keysToKeep(() => false)].sort();
  recordRun(journal, { id: "r0", stages: [{ id: "a", key: "old" }] });
  recordRun(journal, { id: "r1", stages: [{ id: "a", key: "k1" }, { id: "b", key: "k2" }] });
  recordRun(journal, { id: "r2", stages: cached("k1", "k2") });
  const before = keep();
  assert.deepEqual(before, ["k1", "k2"]);
  recordRun(journal, { id: "r3", stages: cached("k1", "k2") });
  assert.deepEqual(keep(), before);
  // A partial (--only) no-op run after them: the latest full success is still kept.
  recordRun(journal, { id: "r4", argv: ["p.yaml", "--only", "a"], stages: cached("k1") });
  assert.deepEqual(keep(), before);
  reader.close();
  journal.close();
});
