/**
 * Journal rows for the dashboard's tests and benchmark, written through the
 * engine's real journal writer (`Journal`) with a pinned clock, so the
 * dashboard can be exercised without running pipelines.
 */
import { CacheLayout, Journal, type RunState, type StageState } from "@dropline/engine";

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
 * Writes journal rows into a cache directory's journal, each call visible to
 * readers when it returns.
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
  readonly writer: Journal;
  #at: number | undefined;

  constructor(cacheDir: string) {
    Deno.mkdirSync(cacheDir, { recursive: true });
    this.writer = new Journal(new CacheLayout(cacheDir), { now: () => this.#at ?? Date.now() });
  }

  /** Inserts a run and its stages (in the given, topological, order). */
  addRun(run: FixtureRun, stages: FixtureStage[]): void {
    const pipeline = run.pipeline ?? "demo";
    this.#at = run.startedAt;
    this.writer.startRun({
      id: run.id,
      pipeline,
      file: `/pipelines/${pipeline}.yaml`,
      argv: ["run", `${pipeline}.yaml`],
      host: "localhost",
      stages: stages.map((stage, seq) => ({
        stageId: stage.id,
        stageName: stage.name ?? stage.id,
        seq,
        matrix: JSON.stringify(stage.matrix ?? {}),
        task: stage.task ?? "shell",
        taskVersion: 1,
        needs: JSON.stringify(stage.needs ?? []),
        params: JSON.stringify(stage.params ?? { run: "true" }),
        state: stage.state ?? "pending",
        reason: stage.reason ?? "no result for this key",
        key: stage.key === undefined ? "k".repeat(16) : stage.key,
      })),
    });
    for (const stage of stages) {
      this.writer.updateStage(run.id, stage.id, {
        keyInputs: JSON.stringify({ task: stage.task ?? "shell" }),
        ...(stage.startedAt ? { startedAt: stage.startedAt } : {}),
        ...(stage.endedAt ? { endedAt: stage.endedAt } : {}),
        ...(stage.error ? { error: stage.error } : {}),
        ...(stage.logPath ? { logPath: stage.logPath } : {}),
        ...(stage.outPath ? { outPath: stage.outPath } : {}),
      });
    }
    this.writer.flush();
    if (run.state && run.state !== "running") {
      this.endRun(run.id, run.state, run.endedAt ?? run.startedAt ?? Date.now());
    }
    this.#at = undefined;
  }

  /** Changes a stage's state, as a runner does (the writer adds the event). */
  setState(runId: string, stageId: string, state: StageState, at = Date.now()): void {
    this.#at = at;
    this.writer.updateStage(runId, stageId, {
      state,
      ...(state === "running" ? { startedAt: at } : state === "pending" ? {} : { endedAt: at }),
    });
    this.writer.flush();
    this.#at = undefined;
  }

  /** Ends a run with a run-level event. */
  endRun(runId: string, state: RunState, at = Date.now()): void {
    this.#at = at;
    this.writer.endRun(runId, state, { noop: false });
    this.#at = undefined;
  }

  /** Appends metric rows: one per (step, name) of each record. */
  addMetrics(runId: string, stageId: string, records: Array<Record<string, number>>): void {
    for (const record of records) this.writer.addMetrics(runId, stageId, record);
    this.writer.flush();
  }

  close(): void {
    this.writer.close();
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
  const layout = new CacheLayout(cacheDir);
  const objects = layout.dir("objects");
  const logs = layout.runLogDir(DEMO.run);
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
