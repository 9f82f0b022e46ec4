import assert from "node:assert/strict";
import { compilePipeline } from "../pipeline/compile.ts";
import { parsePipelineSource } from "../pipeline/source.ts";
import { Journal, type StageRow } from "../journal/journal.ts";
import { FileDigests } from "../store/file_digests.ts";
import { Store } from "../store/store.ts";
import { TASKS } from "../../tasks/mod.ts";
import { canonicalJson } from "./canonical_json.ts";
import { prepareStage } from "./prepare_stage.ts";

const text = (n: number) =>
  `name: demo\nparams: { n: ${n} }\nstages:\n  make: { task: shell, with: { run: "echo \${{ params.n }}" } }\n`;

async function prepareWith(cacheDir: string, n: number) {
  const pipeline = compilePipeline(parsePipelineSource("demo.yaml", text(n)), { tasks: TASKS });
  const journal = new Journal(cacheDir);
  try {
    return await prepareStage(pipeline.stages[0]!, {
      pipeline,
      store: new Store(cacheDir),
      files: new FileDigests(undefined, false),
      db: journal.db,
      forced: false,
      upstreamDigests: new Map(),
    });
  } finally {
    journal.close();
  }
}

/** Records a finished run of `make` with param n, started at `startedAt`. */
async function recordRun(cacheDir: string, runId: string, n: number, startedAt: number) {
  const prepared = await prepareWith(cacheDir, n);
  const journal = new Journal(cacheDir);
  const row: StageRow = {
    stageId: "make",
    stageName: "make",
    seq: 0,
    matrix: "{}",
    task: "shell",
    taskVersion: 1,
    needs: "[]",
    params: "{}",
    state: "pending",
    reason: "",
  };
  journal.startRun({
    id: runId,
    pipeline: "demo",
    file: "demo.yaml",
    argv: [],
    host: "h",
    stages: [row],
  });
  journal.updateStage(runId, "make", {
    key: prepared.key,
    keyInputs: canonicalJson(prepared.recorded),
    state: "succeeded",
  });
  journal.endRun(runId, "succeeded");
  journal.db.prepare("UPDATE runs SET started_at = ? WHERE id = ?").run(startedAt, runId);
  journal.close();
}

Deno.test("prepareStage() explains a change against the latest run, not the largest run id", async () => {
  const cacheDir = await Deno.makeTempDir();
  try {
    // Two runs started within one second: their ids share the timestamp and
    // differ only in their random suffix.
    await recordRun(cacheDir, "20260101T000000Z-ffffff", 3, 1_000);
    await recordRun(cacheDir, "20260101T000000Z-000000", 4, 2_000);
    const prepared = await prepareWith(cacheDir, 5);
    assert.deepEqual(prepared.decision, {
      action: "run",
      reason: 'param "n" changed from 4 to 5',
    });
  } finally {
    await Deno.remove(cacheDir, { recursive: true });
  }
});

Deno.test("prepareStage() keys a stage without a journal and finds nothing stored", async () => {
  const cacheDir = await Deno.makeTempDir();
  try {
    const pipeline = compilePipeline(parsePipelineSource("demo.yaml", text(3)), { tasks: TASKS });
    const prepared = await prepareStage(pipeline.stages[0]!, {
      pipeline,
      store: new Store(cacheDir),
      files: new FileDigests(undefined, false),
      forced: false,
      upstreamDigests: new Map(),
    });
    assert.match(prepared.key, /^[0-9a-f]{64}$/);
    assert.deepEqual(prepared.found, { state: "absent" });
    assert.deepEqual(prepared.decision, {
      action: "run",
      reason: "no result for this key (the stage never ran)",
    });
    assert.deepEqual(prepared.recorded.usedParams, { n: 3 });
  } finally {
    await Deno.remove(cacheDir, { recursive: true });
  }
});
