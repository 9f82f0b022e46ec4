/**
 * Test helpers of the journal's own tests: temporary cache directories and
 * runs recorded through the real writer the way a runner records them.
 */
import { CacheLayout } from "../store/cache_layout.ts";
import type { Journal } from "./journal.ts";
import type { RunState, StageState } from "./schema.ts";

/** A stage of a recorded run: its id, key and final state. */
export interface TestStage {
  id: string;
  key?: string;
  state?: StageState;
  keyInputs?: string;
  error?: string;
}

/** A run to record. */
export interface TestRun {
  id: string;
  pipeline?: string;
  state?: RunState;
  argv?: string[];
  stages: TestStage[];
}

/** A fresh temporary cache directory, removed on dispose. */
export async function tempCache(): Promise<CacheLayout & AsyncDisposable> {
  const layout = new CacheLayout(await Deno.makeTempDir({ prefix: "dropline_journal_" }));
  return Object.assign(layout, {
    [Symbol.asyncDispose]: () => Deno.remove(layout.root, { recursive: true }),
  });
}

/**
 * Records a whole run: its stages reach their states and the run ends. A run
 * whose stages are all `cached` ends as a no-op run. Returns the pruned runs.
 */
export function recordRun(journal: Journal, run: TestRun): string[] {
  journal.startRun({
    id: run.id,
    pipeline: run.pipeline ?? "demo",
    file: "/p/demo.yaml",
    argv: run.argv ?? [],
    host: "test-host",
    stages: run.stages.map((stage, seq) => ({
      stageId: stage.id,
      stageName: stage.id,
      seq,
      matrix: "{}",
      task: "shell",
      taskVersion: 1,
      needs: "[]",
      params: "{}",
      state: "pending",
      reason: "waiting to start",
    })),
  });
  for (const stage of run.stages) {
    journal.updateStage(run.id, stage.id, {
      state: stage.state ?? "succeeded",
      key: stage.key ?? `key-${stage.id}`,
      ...(stage.keyInputs ? { keyInputs: stage.keyInputs } : {}),
      ...(stage.error ? { error: stage.error } : {}),
    });
  }
  const state = run.state ?? "succeeded";
  const noop = state === "succeeded" && run.stages.every((s) => s.state === "cached");
  return journal.endRun(run.id, state, { noop });
}
