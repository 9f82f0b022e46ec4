/**
 * A stand-in journal writer for the dashboard's tests and benchmark: it applies
 * the real schema and writes rows the way a runner does, so the dashboard can
 * be exercised without running pipelines.
 */
import { DatabaseSync } from "node:sqlite";
import { JOURNAL_DDL, type RunState, type StageState } from "@dropline/engine";

/** A stage row to insert; unspecified columns get plausible values. */
export interface FixtureStage {
  id: string;
  name?: string;
  task?: string;
  needs?: string[];
  matrix?: Record<string, unknown>;
  params?: unknown;
  state?: StageState;
  reason?: string;
  startedAt?: number | null;
  endedAt?: number | null;
  error?: string | null;
  key?: string | null;
  logPath?: string | null;
  outPath?: string | null;
}

/** A run row to insert. */
export interface FixtureRun {
  id: string;
  pipeline?: string;
  state?: RunState;
  startedAt?: number;
  endedAt?: number | null;
}

/**
 * Writes journal rows into `<cacheDir>/journal.db` (created with the real DDL).
 *
 * @example
 * ```ts
 * const journal = new FixtureJournal(cacheDir);
 * journal.addRun({ id: "r1" }, [{ id: "a" }, { id: "b", needs: ["a"] }]);
 * journal.setState("r1", "a", "running");
 * journal.close();
 * ```
 */
export class FixtureJournal {
  readonly db: DatabaseSync;

  constructor(cacheDir: string) {
    Deno.mkdirSync(cacheDir, { recursive: true });
    this.db = new DatabaseSync(`${cacheDir}/journal.db`);
    this.db.exec("PRAGMA journal_mode = WAL");
    this.db.exec(JOURNAL_DDL);
  }

  /** Inserts a run and its stages (in the given, topological, order). */
  addRun(run: FixtureRun, stages: FixtureStage[]): void {
    const started = run.startedAt ?? Date.now();
    this.db.prepare(
      "INSERT INTO runs (id, pipeline, pipeline_file, argv, state, started_at, ended_at, " +
        "heartbeat_at, host, pid, stage_count) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    ).run(
      run.id,
      run.pipeline ?? "demo",
      `/pipelines/${run.pipeline ?? "demo"}.yaml`,
      JSON.stringify(["run", "demo.yaml"]),
      run.state ?? "running",
      started,
      run.endedAt ?? null,
      started,
      "localhost",
      1234,
      stages.length,
    );
    const insert = this.db.prepare(
      "INSERT INTO stages (run_id, stage_id, stage_name, seq, matrix, task, task_version, needs, " +
        "key, key_inputs, params, state, reason, started_at, ended_at, error, log_path, out_path) " +
        "VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    );
    this.db.exec("BEGIN");
    stages.forEach((stage, seq) => {
      insert.run(
        run.id,
        stage.id,
        stage.name ?? stage.id,
        seq,
        JSON.stringify(stage.matrix ?? {}),
        stage.task ?? "shell",
        JSON.stringify(stage.needs ?? []),
        stage.key ?? "k".repeat(16),
        JSON.stringify({ task: stage.task ?? "shell" }),
        JSON.stringify(stage.params ?? { run: "true" }),
        stage.state ?? "pending",
        stage.reason ?? "no result for this key",
        stage.startedAt ?? null,
        stage.endedAt ?? null,
        stage.error ?? null,
        stage.logPath ?? null,
        stage.outPath ?? null,
      );
    });
    this.db.exec("COMMIT");
  }

  /** Changes a stage's state and appends the event, as a runner does. */
  setState(runId: string, stageId: string, state: StageState, at = Date.now()): void {
    const started = state === "running" ? at : null;
    const ended = state === "running" || state === "pending" ? null : at;
    this.db.prepare(
      "UPDATE stages SET state = ?, started_at = coalesce(?, started_at), ended_at = ? " +
        "WHERE run_id = ? AND stage_id = ?",
    ).run(state, started, ended, runId, stageId);
    this.db.prepare("INSERT INTO events (run_id, stage_id, state, at) VALUES (?, ?, ?, ?)")
      .run(runId, stageId, state, at);
  }

  /** Ends a run with a run-level event. */
  endRun(runId: string, state: RunState, at = Date.now()): void {
    this.db.prepare("UPDATE runs SET state = ?, ended_at = ? WHERE id = ?").run(state, at, runId);
    this.db.prepare("INSERT INTO events (run_id, stage_id, state, at) VALUES (?, NULL, ?, ?)")
      .run(runId, state, at);
  }

  /** Appends metric rows: one per (step, name) of each record. */
  addMetrics(runId: string, stageId: string, records: Array<Record<string, number>>): void {
    const insert = this.db.prepare(
      "INSERT INTO metrics (run_id, stage_id, step, name, value, at) VALUES (?, ?, ?, ?, ?, ?)",
    );
    this.db.exec("BEGIN");
    for (const record of records) {
      for (const [name, value] of Object.entries(record)) {
        if (name !== "step") insert.run(runId, stageId, record.step ?? 0, name, value, Date.now());
      }
    }
    this.db.exec("COMMIT");
  }

  close(): void {
    this.db.close();
  }
}

/** Training-curve records like a fine-tuning stage logs them. */
export function fakeTrainingMetrics(steps: number): Array<Record<string, number>> {
  return Array.from({ length: steps }, (_, step) => ({
    step,
    loss: 2.3 * Math.exp(-step / (steps / 4)) + 0.1,
    "acc/photo": 0.5 + 0.4 * (1 - Math.exp(-step / (steps / 5))),
    "acc/sketch": 0.3 + 0.4 * (1 - Math.exp(-step / (steps / 3))),
    lr: step < steps / 2 ? 0.01 : 0.001,
    dropout_rate: step < steps / 3 ? 0.9 : 0,
  }));
}

/** Ids in the demo cache written by `writeDemoCache`. */
export const DEMO = {
  run: "20261123T175300Z-aaaaaa",
  oldRun: "20261122T100000Z-bbbbbb",
  sweep: ["sweep[seed=0,rate=0.5]", "sweep[seed=0,rate=0.9]", "sweep[seed=1,rate=0.5]"],
  evil: "<script>alert(1)</script>",
} as const;

/**
 * Writes a small cache: a finished older run and a running run of the issue's
 * demo pipeline (make, a sweep matrix, gather, report), with logs, outputs,
 * metrics, a report and a stage named like an XSS attempt.
 */
export function writeDemoCache(cacheDir: string): FixtureJournal {
  const objects = `${cacheDir}/objects`;
  const logs = `${cacheDir}/logs/${DEMO.run}`;
  Deno.mkdirSync(`${objects}/ab/make/sub`, { recursive: true });
  Deno.mkdirSync(`${objects}/cd/report`, { recursive: true });
  Deno.mkdirSync(logs, { recursive: true });
  Deno.writeTextFileSync(`${objects}/ab/make/n.txt`, "3\n");
  Deno.writeTextFileSync(`${objects}/ab/make/sub/deep.json`, '{"x":1}');
  Deno.writeTextFileSync(
    `${objects}/cd/report/report.md`,
    "# Results\n\n| method | photo |\n|---|---|\n| erm | 0.81 |\n\n<script>alert(2)</script>\n\n![curve](ood.svg)\n",
  );
  Deno.writeTextFileSync(
    `${objects}/cd/report/ood.svg`,
    '<svg xmlns="http://www.w3.org/2000/svg"/>',
  );
  Deno.writeTextFileSync(
    `${objects}/cd/report/iid.svg`,
    '<svg xmlns="http://www.w3.org/2000/svg"/>',
  );
  Deno.writeTextFileSync(`${logs}/make.log`, "making n\n<b>not bold</b>\ndone\n");
  const journal = new FixtureJournal(cacheDir);
  const t0 = Date.UTC(2026, 10, 23, 17, 53);
  journal.addRun({
    id: DEMO.oldRun,
    state: "succeeded",
    startedAt: t0 - 86_400_000,
    endedAt: t0 - 86_000_000,
  }, [
    {
      id: "make",
      state: "succeeded",
      startedAt: t0 - 86_400_000,
      endedAt: t0 - 86_399_000,
      key: "a".repeat(64),
    },
  ]);
  const sweep = DEMO.sweep.map((id, i) => ({
    id,
    name: "sweep",
    needs: ["make"],
    matrix: { seed: i < 2 ? 0 : 1, rate: i % 2 ? 0.9 : 0.5 },
    state: "pending" as const,
  }));
  journal.addRun({ id: DEMO.run, startedAt: t0 }, [
    {
      id: "make",
      state: "succeeded",
      startedAt: t0,
      endedAt: t0 + 1200,
      logPath: `${logs}/make.log`,
      outPath: `${objects}/ab/make`,
      params: { run: 'echo 3 > "$OUT/n.txt"', outputs: ["n.txt"] },
    },
    ...sweep,
    { id: "gather", needs: DEMO.sweep.slice(), state: "pending" },
    { id: DEMO.evil, needs: ["make"], state: "failed", error: "<img src=x onerror=alert(3)>" },
    {
      id: "report",
      task: "report",
      needs: ["gather"],
      state: "cached",
      outPath: `${objects}/cd/report`,
    },
  ]);
  journal.addMetrics(DEMO.run, "make", fakeTrainingMetrics(50));
  journal.setState(DEMO.run, "make", "running", t0);
  journal.setState(DEMO.run, "make", "succeeded", t0 + 1200);
  return journal;
}
