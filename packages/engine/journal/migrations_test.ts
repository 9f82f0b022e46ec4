import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { CacheError } from "../store/cache_error.ts";
import { Journal } from "./journal.ts";
import { JournalReader } from "./journal_reader.ts";
import { journalVersion, migrateJournal } from "./migrations.ts";
import { JOURNAL_SCHEMA_VERSION } from "./schema.ts";
import { recordRun, tempCache } from "./_test_runs.ts";

const LEGACY = ["schema_v1_latest.sql", "schema_v1_first.sql"];

/** A version-1 journal as older dropline wrote it: one executed run, then a no-op run. */
async function writeLegacyJournal(path: string, schemaFile: string): Promise<void> {
  const db = new DatabaseSync(path);
  db.exec("PRAGMA journal_mode = WAL");
  db.exec(await Deno.readTextFile(new URL(`./testdata/${schemaFile}`, import.meta.url)));
  const run = db.prepare(
    "INSERT INTO runs (id, pipeline, pipeline_file, argv, state, started_at, ended_at, " +
      "heartbeat_at, host, pid, stage_count) VALUES (?, 'demo', '/p.yaml', '[]', ?, ?, ?, ?, 'h', 1, 1)",
  );
  const stage = db.prepare(
    "INSERT INTO stages (run_id, stage_id, stage_name, seq, matrix, task, task_version, needs, " +
      "key, key_inputs, params, state, reason) VALUES (?, 'make', 'make', 0, '{}', 'shell', 1, " +
      "'[]', 'k1', ?, '{}', ?, ?)",
  );
  run.run("20260101T000000.000Z-aaaaaa", "succeeded", 1, 2, 2);
  stage.run("20260101T000000.000Z-aaaaaa", '{"task":"shell"}', "succeeded", "no result");
  run.run("20260101T000001.000Z-bbbbbb", "succeeded", 3, 4, 4);
  stage.run("20260101T000001.000Z-bbbbbb", null, "cached", "stored");
  db.prepare("INSERT INTO events (run_id, stage_id, state, at) VALUES (?, 'make', 'succeeded', 2)")
    .run("20260101T000000.000Z-aaaaaa");
  db.prepare(
    "INSERT INTO metrics (run_id, stage_id, step, name, value, at) VALUES (?, 'make', 0, 'loss', 1, 2)",
  ).run("20260101T000000.000Z-aaaaaa");
  db.close();
}

/** Tables, columns and indexes of a journal, comparable across journals. */
function schemaOf(path: string): unknown {
  const db = new DatabaseSync(path, { readOnly: true });
  try {
    const objects = db.prepare(
      "SELECT type, name, tbl_name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY name",
    ).all().map((row) => ({ ...row }));
    const columns = objects.filter((o) => o.type === "table").map((o) => ({
      table: o.name,
      columns: db.prepare(`PRAGMA table_info(${o.name})`).all()
        .map((c) => `${c.name} ${c.type} ${c.notnull} ${c.dflt_value} ${c.pk}`).sort(),
    }));
    const indexes = objects.filter((o) => o.type === "index").map((o) => ({
      index: o.name,
      columns: db.prepare(`PRAGMA index_xinfo(${o.name})`).all().map((c) => c.name),
      partial: db.prepare('SELECT "partial" FROM pragma_index_list(?) WHERE name = ?')
        .get(String(o.tbl_name), String(o.name))?.partial,
    }));
    return { columns, indexes };
  } finally {
    db.close();
  }
}

for (const schemaFile of LEGACY) {
  Deno.test(`Journal migrates a version-1 journal (${schemaFile}) to the current schema`, async () => {
    await using legacy = await tempCache();
    await using fresh = await tempCache();
    await writeLegacyJournal(legacy.journal, schemaFile);
    new Journal(fresh).close();

    new Journal(legacy).close();
    assert.deepEqual(schemaOf(legacy.journal), schemaOf(fresh.journal));
    const db = new DatabaseSync(legacy.journal, { readOnly: true });
    assert.equal(journalVersion(db), JOURNAL_SCHEMA_VERSION);
    db.close();

    // What older runs recorded reads as before, and the no-op run is marked as such.
    const reader = new JournalReader(legacy);
    assert.deepEqual(reader.listRuns({ noop: true }).map((r) => [r.id, r.noop]), [
      ["20260101T000001.000Z-bbbbbb", true],
      ["20260101T000000.000Z-aaaaaa", false],
    ]);
    assert.deepEqual(reader.lastKeyedAttempt("demo", "make")?.runId, "20260101T000000.000Z-aaaaaa");
    assert.equal(reader.metrics("20260101T000000.000Z-aaaaaa", "make").loss?.length, 1);
    assert.deepEqual([...reader.keysToKeep(() => false)], ["k1"]);
    assert.equal(reader.getStage("20260101T000000.000Z-aaaaaa", "make")?.facts, null);
    reader.close();
  });
}

Deno.test("JournalReader reads a version-1 journal without migrating it", async () => {
  await using legacy = await tempCache();
  await writeLegacyJournal(legacy.journal, "schema_v1_first.sql");
  const before = await Deno.readFile(legacy.journal);
  const reader = new JournalReader(legacy);
  // No noop column yet: every run is listed.
  assert.equal(reader.listRuns().length, 2);
  assert.equal(reader.countNoopRuns(), 0);
  assert.equal(reader.getStage("20260101T000000.000Z-aaaaaa", "make")?.facts, null);
  reader.close();
  assert.deepEqual(await Deno.readFile(legacy.journal), before);
});

Deno.test("migrateJournal() migrates once and leaves a current journal alone", async () => {
  await using cache = await tempCache();
  const db = new DatabaseSync(cache.journal);
  assert.equal(migrateJournal(db), 0, "an empty database gets the current schema");
  assert.equal(migrateJournal(db), JOURNAL_SCHEMA_VERSION);
  db.close();
  const journal = new Journal(cache);
  recordRun(journal, { id: "r1", stages: [{ id: "a" }] });
  journal.close();
  new Journal(cache).close();
  assert.equal(new JournalReader(cache).listRuns().length, 1);
});

Deno.test("a journal written by a newer dropline is refused, not changed", async () => {
  await using cache = await tempCache();
  new Journal(cache).close();
  const db = new DatabaseSync(cache.journal);
  db.exec(`PRAGMA user_version = ${JOURNAL_SCHEMA_VERSION + 1}`);
  db.close();
  const newer = new RegExp(`schema version ${JOURNAL_SCHEMA_VERSION + 1}, written by a newer`);
  assert.throws(
    () => new Journal(cache),
    (e: Error) => e instanceof CacheError && newer.test(e.message),
  );
  assert.throws(() => new JournalReader(cache).listRuns(), CacheError);
  const after = new DatabaseSync(cache.journal, { readOnly: true });
  assert.equal(journalVersion(after), JOURNAL_SCHEMA_VERSION + 1);
  after.close();
});

/** A version-3 journal: one run with a Slurm attempt (its job in facts) and a local one. */
async function writeVersion3Journal(path: string): Promise<void> {
  const db = new DatabaseSync(path);
  db.exec("PRAGMA journal_mode = WAL");
  db.exec(await Deno.readTextFile(new URL("./testdata/schema_v3.sql", import.meta.url)));
  db.prepare(
    "INSERT INTO runs (id, pipeline, pipeline_file, argv, state, started_at, ended_at, " +
      "heartbeat_at, host, pid, stage_count) VALUES ('r3', 'demo', '/p.yaml', '[]', 'succeeded', " +
      "1, 9, 9, 'h', 1, 2)",
  ).run();
  const stage = db.prepare(
    "INSERT INTO stages (run_id, stage_id, stage_name, seq, matrix, task, task_version, needs, " +
      "key, params, state, reason, started_at, ended_at, facts) VALUES ('r3', ?, ?, 0, '{}', " +
      "'shell', 1, '[]', ?, '{}', 'succeeded', 'no result', 2, 8, ?)",
  );
  stage.run(
    "train",
    "train",
    "k2",
    '{"backend":"wasm","executor":"slurm","job_id":"77","job_state":"COMPLETED","job_node":"n1"}',
  );
  stage.run("prep", "prep", "k1", null);
  db.close();
}

Deno.test("Journal migrates a version-3 journal: a Slurm attempt's job moves out of its facts", async () => {
  await using v3 = await tempCache();
  await using fresh = await tempCache();
  await writeVersion3Journal(v3.journal);
  new Journal(fresh).close();

  new Journal(v3).close();
  assert.deepEqual(schemaOf(v3.journal), schemaOf(fresh.journal));
  const reader = new JournalReader(v3);
  const train = reader.getStage("r3", "train")!;
  assert.equal(train.executor, "slurm");
  assert.deepEqual(train.facts, { backend: "wasm" });
  assert.deepEqual(train.jobs, [
    {
      executor: "slurm",
      id: "77",
      state: "COMPLETED",
      reason: null,
      node: "n1",
      since: 2,
      updatedAt: 8,
    },
  ]);
  assert.equal(reader.lastExecution("train", "k2")?.job?.id, "77");
  // Version 3 did not record where other attempts executed: unknown, not guessed.
  assert.equal(reader.getStage("r3", "prep")?.executor, null);
  assert.equal(reader.lastExecution("prep", "k1"), undefined);
  reader.close();
});

Deno.test("JournalReader reads a version-3 journal without migrating it", async () => {
  await using v3 = await tempCache();
  await writeVersion3Journal(v3.journal);
  const before = await Deno.readFile(v3.journal);
  const reader = new JournalReader(v3);
  const train = reader.getStage("r3", "train")!;
  assert.deepEqual([train.executor, train.jobs], [null, []]);
  assert.equal(train.facts?.job_id, "77", "still in its facts");
  assert.equal(reader.lastExecution("train", "k2"), undefined);
  reader.close();
  assert.deepEqual(await Deno.readFile(v3.journal), before);
});
