import assert from "node:assert/strict";
import { compilePipeline } from "../pipeline/compile.ts";
import { parsePipelineSource } from "../pipeline/source.ts";
import { Journal, type StageRow } from "../journal/journal.ts";
import { newRunId } from "../journal/run_id.ts";
import { FileDigests } from "../store/file_digests.ts";
import { Store } from "../store/store.ts";
import { TASKS } from "@dropline/tasks";
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
      files: new FileDigests(),
      history: journal,
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
  const journal = new Journal(cacheDir, { now: () => startedAt });
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
    keyInputs: prepared.recordedJson(),
    state: "succeeded",
  });
  journal.endRun(runId, "succeeded", { noop: false });
  journal.close();
}

Deno.test("newRunId() sorts runs started within one second in start order", () => {
  for (let i = 0; i < 20; i++) {
    const first = newRunId(new Date(Date.UTC(2026, 0, 1, 0, 0, 0, 100)));
    const second = newRunId(new Date(Date.UTC(2026, 0, 1, 0, 0, 0, 101)));
    assert.ok(first < second, `${first} < ${second}`);
  }
});

Deno.test("prepareStage() explains a change against the latest run of the stage", async () => {
  const cacheDir = await Deno.makeTempDir();
  try {
    const t0 = Date.UTC(2026, 0, 1);
    await recordRun(cacheDir, newRunId(new Date(t0 + 10)), 3, t0 + 10);
    await recordRun(cacheDir, newRunId(new Date(t0 + 20)), 4, t0 + 20);
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
      files: new FileDigests(),
      forced: false,
      upstreamDigests: new Map(),
    });
    assert.match(prepared.key, /^[0-9a-f]{64}$/);
    assert.deepEqual(prepared.found, { state: "absent" });
    assert.deepEqual(prepared.decision, {
      action: "run",
      reason: "no result for this key (the stage never ran)",
    });
    assert.deepEqual(JSON.parse(prepared.recordedJson()).usedParams, { n: 3 });
  } finally {
    await Deno.remove(cacheDir, { recursive: true });
  }
});
