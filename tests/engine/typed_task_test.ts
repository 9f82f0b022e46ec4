import assert from "node:assert/strict";
import { join } from "node:path";
import { type Progress, type Task } from "@dropline/task";
import {
  CacheLayout,
  loadPipeline,
  runPipeline,
  type RunReporter,
  type RunSummary,
  type StageOutcome,
} from "@dropline/engine";
import { TASKS } from "@dropline/tasks";
import probe from "./fixtures/probe_task.ts";
import { tempProject, waitForFile } from "./_project.ts";

const tasks: ReadonlyMap<string, Task> = new Map([...TASKS, [probe.name, probe]]);

/** A reporter that remembers what it was told. */
class Recorder implements RunReporter {
  progress_: [string, Progress][] = [];
  outcomes = new Map<string, StageOutcome>();
  started() {}
  progress(id: string, progress: Progress) {
    this.progress_.push([id, progress]);
  }
  finished(id: string, outcome: StageOutcome) {
    this.outcomes.set(id, outcome);
  }
  note() {}
  close() {}
}

async function run(
  file: string,
  cacheDir: string,
  signal = new AbortController().signal,
): Promise<{ summary: RunSummary; recorder: Recorder }> {
  const pipeline = await loadPipeline(file, { tasks });
  const recorder = new Recorder();
  const summary = await runPipeline(pipeline, {
    cacheDir,
    jobs: 2,
    keepGoing: true,
    forced: new Set(),
    argv: [],
    reporter: recorder,
    signal,
  });
  return { summary, recorder };
}

const TYPED = `name: typed
stages:
  count:
    task: probe
    with: { steps: 3 }
  boom:
    task: probe
    with: { steps: 1, fail: "the probe broke" }
  bug:
    task: probe
    with: { steps: 1, bug: true }
  crash:
    task: probe
    with: { steps: 1, crash: 7 }
  after:
    task: probe
    with: { steps: 1, input: "\${{ stages.count.out }}" }
`;

Deno.test("a process-isolated task reports progress and metrics; a failing one fails alone", async () => {
  await using p = await tempProject({ "p.yaml": TYPED });
  const { summary, recorder } = await run(join(p.dir, "p.yaml"), p.cache);
  assert.equal(summary.state, "failed");
  assert.deepEqual(summary.counts, {
    succeeded: 2,
    cached: 0,
    failed: 3,
    skipped: 0,
    interrupted: 0,
  });
  const failures = new Map(summary.failures.map((f) => [f.id, f.message]));
  assert.equal(failures.get("boom"), "the probe broke");
  assert.equal(
    failures.get("crash"),
    "Task process exited with code 7 (out of memory or a crash?)",
  );

  const db = p.journal();
  try {
    const [run] = db.listRuns();
    const count = db.getStage(run!.id, "count")!;
    const result = JSON.parse(await Deno.readTextFile(join(count.outPath!, "result.json")));
    assert.notEqual(result.pid, Deno.pid, "ran in a child process");
    const after = db.getStage(run!.id, "after")!;
    const downstream = JSON.parse(await Deno.readTextFile(join(after.outPath!, "result.json")));
    assert.deepEqual(downstream.input, result);

    assert.deepEqual(
      recorder.progress_.filter(([id]) => id === "count").map(([, pr]) => pr.done),
      [1, 2, 3],
    );
    assert.deepEqual(db.metrics(run!.id, "count"), { loss: [[0, 1], [1, 0.5], [2, 1 / 3]] });
    const jsonl = await Deno.readTextFile(count.logPath!.replace(/\.log$/, ".metrics.jsonl"));
    assert.equal(jsonl.trim().split("\n").length, 3);
    const log = await Deno.readTextFile(count.logPath!);
    assert.match(log, /info counted to 3/);
    assert.match(log, /printed by the task/);
    const boom = db.getStage(run!.id, "boom")!;
    assert.deepEqual([boom.state, boom.error], ["failed", "the probe broke"]);
    assert.match(
      await Deno.readTextFile(boom.logPath!),
      /Error: the probe broke\n\s+at /,
      "stack in the log",
    );
    // A bug reported as a TaskError: the message for the terminal, its stack in the log.
    const bug = db.getStage(run!.id, "bug")!;
    assert.match(bug.error!, /^Cannot read properties of null/);
    assert.doesNotMatch(bug.error!, /\n/);
    assert.match(
      await Deno.readTextFile(bug.logPath!),
      /TaskError: Cannot read properties of null.*\nCaused by: TypeError: .*\n\s+at .*probe_task\.ts/,
    );
  } finally {
    db.close();
  }
});

Deno.test("an interrupted typed task resumes from its checkpoint on the next run", async () => {
  await using p = await tempProject({
    "p.yaml":
      "name: resumable\nstages:\n  long:\n    task: probe\n    with: { steps: 5, pause_before: 3 }\n",
  });
  const file = join(p.dir, "p.yaml");
  const controller = new AbortController();
  const first = run(file, p.cache, controller.signal);
  await waitForFile(join(p.dir, "paused"));
  controller.abort();
  const { summary } = await first;
  assert.equal(summary.state, "interrupted");
  assert.equal(summary.counts.interrupted, 1);
  const db = p.journal();
  const [latest] = db.listRuns();
  const row = db.getStage(latest!.id, "long");
  db.close();
  assert.equal(row!.state, "interrupted");
  const layout = new CacheLayout(p.cache);
  const checkpoint = layout.checkpointDir(row!.key!);
  assert.equal(await Deno.readTextFile(join(checkpoint, "step")), "3");

  await Deno.writeTextFile(join(p.dir, "release"), "");
  const second = await run(file, p.cache);
  assert.equal(second.summary.state, "succeeded");
  const out = join(layout.outDir(row!.key!), "result.json");
  assert.equal(JSON.parse(await Deno.readTextFile(out)).resumedFrom, 3);
  await assert.rejects(() => Deno.stat(checkpoint), Deno.errors.NotFound, "removed once published");
  assert.deepEqual(
    second.recorder.progress_.map(([, pr]) => pr.done),
    [4, 5],
    "steps done before the interruption are not repeated",
  );
});
