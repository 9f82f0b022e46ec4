/**
 * Test helpers of the sweep readers: runs recorded through the real journal
 * writer, with published outputs holding what tasks write.
 */
import { join } from "../util/posix_path.ts";
import type { Journal } from "../journal/journal.ts";
import type { StageState } from "../journal/schema.ts";
import { canonicalJson } from "../util/canonical_json.ts";

/** A stage of a recorded sweep run. */
export interface SweepStage {
  id: string;
  name?: string;
  task?: string;
  matrix?: Record<string, unknown>;
  params?: Record<string, unknown>;
  state?: StageState;
  reason?: string;
  key?: string;
  /** Files of the published output (name to JSON value); none: nothing published. */
  output?: Record<string, unknown>;
  startedAt?: number;
  endedAt?: number;
}

/**
 * Records a finished run of `stages` and writes their outputs under `root`
 * (one directory per key).
 */
export async function recordSweepRun(
  journal: Journal,
  root: string,
  run: { id: string; pipeline?: string; argv?: string[]; stages: SweepStage[] },
): Promise<void> {
  journal.startRun({
    id: run.id,
    pipeline: run.pipeline ?? "sweep",
    file: "/p/sweep.yaml",
    argv: run.argv ?? [],
    host: "test-host",
    stages: run.stages.map((stage, seq) => ({
      stageId: stage.id,
      stageName: stage.name ?? stage.id,
      seq,
      matrix: canonicalJson(stage.matrix ?? {}),
      task: stage.task ?? "train",
      taskVersion: 1,
      needs: "[]",
      params: canonicalJson(stage.params ?? {}),
      state: "pending",
      reason: "waiting to start",
    })),
  });
  for (const stage of run.stages) {
    const key = stage.key ?? `key-${stage.id}`;
    const state = stage.state ?? "succeeded";
    const outPath = stage.output ? join(root, key) : undefined;
    if (outPath) {
      await Deno.mkdir(outPath, { recursive: true });
      for (const [name, value] of Object.entries(stage.output!)) {
        const text = typeof value === "string" ? value : JSON.stringify(value);
        await Deno.writeTextFile(join(outPath, name), text);
      }
    }
    journal.updateStage(run.id, stage.id, {
      state,
      key,
      reason: stage.reason ?? (state === "cached" ? "unchanged" : "no previous run"),
      ...(state === "cached" ? {} : { keyInputs: "{}" }),
      ...(stage.startedAt === undefined ? {} : { startedAt: stage.startedAt }),
      ...(stage.endedAt === undefined ? {} : { endedAt: stage.endedAt }),
      ...(outPath ? { outPath } : {}),
    });
  }
  const failed = run.stages.some((s) => s.state === "failed");
  journal.endRun(run.id, failed ? "failed" : "succeeded", { noop: false });
}
