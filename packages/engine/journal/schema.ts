/**
 * The run journal's SQLite schema (`<cache-dir>/journal.db`, WAL mode).
 *
 * The journal is state, the pipeline YAML is definition: what ran, with which
 * key and result, lives here. Writers are runners; readers (status, why, the
 * dashboard) open it read-only and never block a runner.
 *
 * Times are epoch milliseconds. JSON columns hold canonical JSON text.
 */

/**
 * The schema version of a journal this code writes, kept in `PRAGMA
 * user_version`. Journals made before it was kept there read 0 and are
 * version 1. Bump it with a new step in `migrations.ts`.
 */
export const JOURNAL_SCHEMA_VERSION = 5;

/** States of a run (`runs.state`). A `running` run whose heartbeat stopped died. */
export const RUN_STATES = ["running", "succeeded", "failed", "interrupted"] as const;
export type RunState = typeof RUN_STATES[number];

/**
 * States of a stage within a run (`stages.state`): `pending` (waiting for
 * upstream), `running`, `cached` (result reused), `succeeded` (ran and
 * published), `failed`, `skipped` (an upstream failed, or the run stopped
 * first), `interrupted` (Ctrl-C or runner death).
 */
export const STAGE_STATES = [
  "pending",
  "running",
  "cached",
  "succeeded",
  "failed",
  "skipped",
  "interrupted",
] as const;
export type StageState = typeof STAGE_STATES[number];

/** The DDL of a new journal at {@linkcode JOURNAL_SCHEMA_VERSION}; older ones are migrated. */
export const JOURNAL_DDL = `
-- One row per invocation of \`run\`.
CREATE TABLE runs (
  id TEXT PRIMARY KEY,            -- sortable: 20261123T175300.123Z-1a2b3c
  pipeline TEXT NOT NULL,         -- the pipeline's \`name\`
  pipeline_file TEXT NOT NULL,    -- absolute path of the YAML
  argv TEXT NOT NULL,             -- JSON array of CLI arguments
  state TEXT NOT NULL,
  started_at REAL NOT NULL,
  ended_at REAL,
  heartbeat_at REAL NOT NULL,     -- updated every few seconds while running
  host TEXT NOT NULL,
  pid INTEGER NOT NULL,
  stage_count INTEGER NOT NULL,
  noop INTEGER NOT NULL DEFAULT 0 -- 1: it succeeded reusing every stage (a no-op run)
);
CREATE INDEX runs_by_pipeline ON runs (pipeline, started_at);

-- One row per stage per run: the stage's attempt in that run.
CREATE TABLE stages (
  run_id TEXT NOT NULL,
  stage_id TEXT NOT NULL,         -- e.g. sweep[seed=0,rate=0.5]
  stage_name TEXT NOT NULL,       -- the YAML stage it expands from: sweep
  seq INTEGER NOT NULL,           -- topological position
  matrix TEXT NOT NULL,           -- JSON object of matrix values ({} when none)
  task TEXT NOT NULL,
  task_version INTEGER NOT NULL,
  needs TEXT NOT NULL,            -- JSON array of upstream stage ids
  key TEXT,                       -- null until the upstream digests are known
  key_inputs TEXT,                -- JSON: what the key was computed from (for \`why\`)
  params TEXT NOT NULL,           -- JSON: the rendered \`with\` (upstream paths as placeholders)
  state TEXT NOT NULL,
  reason TEXT NOT NULL,           -- why it ran, was cached or skipped
  started_at REAL,
  ended_at REAL,
  error TEXT,
  log_path TEXT,                  -- absolute path of this attempt's stdout/stderr log
  out_path TEXT,                  -- absolute path of the published output directory
  digest TEXT,                    -- content digest of the published output
  progress TEXT,                  -- JSON Progress while running
  facts TEXT,                     -- JSON facts the task recorded (e.g. tensor backend and version)
  executor TEXT,                  -- where the attempt executed: local or slurm (null: not executed)
  PRIMARY KEY (run_id, stage_id)
);
-- Attempts that executed, by key (a reused result is no attempt of its key). Partial, so
-- the rows of no-op runs - inserted in random key order - do not grow it.
CREATE INDEX stages_by_key_executed ON stages (key)
  WHERE state NOT IN ('pending', 'cached', 'skipped');
CREATE INDEX stages_by_stage_id ON stages (stage_id, run_id);

-- The batch jobs a stage's attempt ran in (Slurm), one row per job: a job lost
-- and resubmitted (--retries) adds a row. Updated as the scheduler reports.
CREATE TABLE jobs (
  run_id TEXT NOT NULL,
  stage_id TEXT NOT NULL,
  job_id TEXT NOT NULL,           -- the scheduler's id (Slurm: 123)
  executor TEXT NOT NULL,         -- slurm
  state TEXT NOT NULL,            -- the scheduler's latest state: PENDING, RUNNING, COMPLETED, ...
  reason TEXT,                    -- the scheduler's reason: Resources, TimeLimit, ...
  node TEXT,
  since REAL NOT NULL,            -- when the attempt took the job (submitted, or re-attached to it)
  updated_at REAL NOT NULL,
  PRIMARY KEY (run_id, stage_id, job_id)
);

-- Every stage state change after the stage's row is written, in order; the
-- dashboard tails it for live updates. (A stage that reaches its final state
-- before its row is first written - a cached stage - adds its row already final.)
CREATE TABLE events (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  run_id TEXT NOT NULL,
  stage_id TEXT,                  -- null for run-level events
  state TEXT NOT NULL,
  at REAL NOT NULL
);
CREATE INDEX events_by_run ON events (run_id, id);

-- Metrics logged by tasks, one row per (step, name).
CREATE TABLE metrics (
  run_id TEXT NOT NULL,
  stage_id TEXT NOT NULL,
  step INTEGER NOT NULL,
  name TEXT NOT NULL,
  value REAL NOT NULL,
  at REAL NOT NULL
);
CREATE INDEX metrics_by_stage ON metrics (run_id, stage_id, name, step);

-- The manifest of each published object as its runner last saw it intact,
-- so that a no-op run checks outputs with stat calls alone, not reading every
-- manifest.json (objects/<k2>/<key>/manifest.json stays the truth).
CREATE TABLE objects (
  key TEXT PRIMARY KEY,
  manifest TEXT NOT NULL,         -- manifest.json's content
  recorded_at REAL NOT NULL
) WITHOUT ROWID;

-- Stat cache in front of content hashing of local input files.
CREATE TABLE file_stats (
  path TEXT PRIMARY KEY,
  size INTEGER NOT NULL,
  mtime REAL NOT NULL,
  ino INTEGER NOT NULL,
  digest TEXT NOT NULL
);
`;
