/**
 * The Slurm executor's decisions, driven by a scripted cluster: the test
 * plays both slurmctld (job states) and the worker (exit-status files).
 * The real cluster is exercised by tests/slurm.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import type { Task } from "@dropline/task";
import type { Resources } from "../../pipeline/resources.ts";
import { Store } from "../../store/store.ts";
import { type ExecutionResult, type StageWork, UNLIMITED_SLOTS } from "../execute_stage.ts";
import type { ExecutionHooks, JobInfo } from "../executor.ts";
import { jobPaths, type JobRecord, type StageStatus, writeJsonAtomic } from "./job_files.ts";
import { SlurmExecutor } from "./slurm_executor.ts";
import type { SlurmClient } from "./slurm_client.ts";
import type { JobObservation } from "./squeue.ts";

interface FakeJob {
  name: string;
  state: string;
  reason?: string;
  node?: string;
  dir: string;
  listed: boolean;
}

/** A cluster whose job states the test sets. */
class FakeSlurm implements SlurmClient {
  jobs = new Map<string, FakeJob>();
  submissions: string[][] = [];
  cancelled: string[] = [];
  squeueCalls = 0;
  accounting: Map<string, JobObservation> | "off" = "off";
  /** slurmctld does not answer: squeue and scancel fail. */
  down = false;
  #next = 100;

  sbatch(args: readonly string[], script: string): Promise<string> {
    const partition = args.find((a) => a.startsWith("--partition="))?.slice(12);
    if (partition === "nosuch") {
      return Promise.reject(new Error("sbatch failed (exit 1): invalid partition specified"));
    }
    const id = String(this.#next++);
    const name = args.find((a) => a.startsWith("--job-name="))!.slice(11);
    this.submissions.push([...args]);
    this.jobs.set(id, { name, state: "PENDING", dir: join(script, ".."), listed: true });
    return Promise.resolve(id);
  }

  squeue(names: readonly string[]): Promise<JobObservation[]> {
    this.squeueCalls++;
    if (this.down) return Promise.reject(new Error(UNREACHABLE));
    return Promise.resolve(
      [...this.jobs].filter(([, job]) => job.listed && names.includes(job.name)).map((
        [jobId, job],
      ) => ({
        jobId,
        state: job.state,
        ...(job.reason ? { reason: job.reason } : {}),
        ...(job.node ? { node: job.node } : {}),
      })),
    );
  }

  sacct(jobIds: readonly string[]): Promise<JobObservation[] | "unavailable"> {
    if (this.accounting === "off") return Promise.resolve("unavailable");
    const known = this.accounting;
    return Promise.resolve(jobIds.flatMap((id) => known.get(id) ?? []));
  }

  scancel(jobIds: readonly string[]): Promise<void> {
    if (this.down) return Promise.reject(new Error(UNREACHABLE));
    this.cancelled.push(...jobIds);
    for (const id of jobIds) this.set(id, "CANCELLED");
    return Promise.resolve();
  }

  set(id: string, state: string, extra: Partial<FakeJob> = {}): void {
    Object.assign(this.jobs.get(id)!, { state, ...extra });
  }

  /** Plays the worker: writes stage `index`'s exit status. */
  finish(id: string, index: number, result: ExecutionResult): void {
    const status: StageStatus = { ...result, jobId: id, node: "n1", ms: 5 };
    writeJsonAtomic(jobPaths.status(this.jobs.get(id)!.dir, index), status);
  }

  /** Plays the worker: stage `index` begins. */
  start(id: string, index: number): void {
    const event = { type: "started", jobId: id, node: "n1", at: Date.now() };
    Deno.writeTextFileSync(
      jobPaths.events(this.jobs.get(id)!.dir, index),
      JSON.stringify(event) + "\n",
    );
  }

  /** Resolves once `n` jobs were submitted. */
  async submitted(n: number): Promise<string[]> {
    while (this.jobs.size < n) await tick();
    return [...this.jobs.keys()];
  }
}

const UNREACHABLE = "scancel failed (exit 1): Unable to contact slurm controller (connect failure)";
const tick = () => new Promise((resolve) => setTimeout(resolve, 5));
/** `promise`, or a failure after `ms` (so that a run that would wait forever fails). */
function within<T>(promise: Promise<T>, ms = 3_000): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`still waiting after ${ms} ms`)), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

const TIMINGS = {
  submitDelayMs: 10,
  pollMinMs: 10,
  pollMaxMs: 20,
  exitFileWaitMs: 300,
  failedExitFileWaitMs: 30,
  endStateWaitMs: 200,
  unseenMs: 1_000,
  cancelWaitMs: 5_000,
};
const TASK = { name: "t", isolation: "inline" } as unknown as Task;

async function setup(
  options: { retries?: number; keepGoing?: boolean; cancelWaitMs?: number } = {},
) {
  const dir = await Deno.makeTempDir({ prefix: "slurm_executor_" });
  const store = new Store(dir);
  await store.prepare();
  const slurm = new FakeSlurm();
  const notes: string[] = [];
  const executor = new SlurmExecutor({
    runId: "r1",
    pipelineName: "p",
    store,
    retries: options.retries ?? 0,
    keepGoing: options.keepGoing ?? false,
    note: (message) => notes.push(message),
    client: slurm,
    timings: { ...TIMINGS, cancelWaitMs: options.cancelWaitMs ?? TIMINGS.cancelWaitMs },
    deno: "/usr/bin/deno",
  });
  const controller = new AbortController();
  const jobs = new Map<string, JobInfo[]>();
  const started: string[] = [];
  const run = (id: string, resources: Resources = {}) => {
    const work: StageWork = {
      stageId: id,
      seq: 0,
      key: `key-${id}`,
      runId: "r1",
      taskModule: "file:///t.ts",
      taskName: "t",
      params: {},
      upstream: {},
      outputs: [],
      workDir: dir,
      logPath: join(dir, `${id}.log`),
      forced: false,
    };
    const hooks: ExecutionHooks = {
      onStart: () => started.push(id),
      onProgress() {},
      onMetric() {},
      onFacts() {},
      onLockWait() {},
      onLock() {},
      onCorrupt() {},
      onJob: (job) => jobs.set(id, [...jobs.get(id) ?? [], job]),
    };
    return executor.execute(
      { work, task: TASK, resources, slots: UNLIMITED_SLOTS },
      hooks,
      controller.signal,
    );
  };
  return {
    dir,
    store,
    slurm,
    notes,
    executor,
    controller,
    jobs,
    started,
    run,
    [Symbol.asyncDispose]: async () => {
      slurm.down = false;
      controller.abort();
      // What a failed test left queued ends, so that close() returns.
      for (const [id, job] of slurm.jobs) if (!job.state.endsWith("ED")) slurm.set(id, "CANCELLED");
      await executor.close();
      await Deno.remove(dir, { recursive: true });
    },
  };
}

const OK = (digest: string): ExecutionResult => ({
  outcome: "succeeded",
  digest,
  outDir: `/out/${digest}`,
  logPath: "/log",
});

Deno.test("SlurmExecutor submits stages with group_size as one job and settles each by its exit file", async () => {
  await using t = await setup();
  const grouped = { groupSize: 3, memMiB: 100 };
  const results = Promise.all(["a", "b", "c"].map((id) => t.run(id, grouped)));
  const [job] = await t.slurm.submitted(1);
  assert.equal(t.slurm.submissions.length, 1);
  assert.ok(t.slurm.submissions[0]!.includes("--mem=100M"));
  t.slurm.set(job!, "RUNNING", { node: "n1" });
  ["a", "b", "c"].forEach((id, i) => t.slurm.finish(job!, i, OK(id)));
  assert.deepEqual((await results).map((r) => r.outcome === "succeeded" && r.digest), [
    "a",
    "b",
    "c",
  ]);
  assert.deepEqual(t.jobs.get("a")!.map((j) => j.state), ["PENDING", "RUNNING"]);
  assert.equal(t.jobs.get("a")!.at(-1)!.node, "n1");
});

Deno.test("SlurmExecutor reports a job's end state after its stages reported", async () => {
  await using t = await setup();
  const result = t.run("a");
  const [job] = await t.slurm.submitted(1);
  t.slurm.set(job!, "RUNNING", { node: "n1" });
  t.slurm.finish(job!, 0, OK("a"));
  assert.equal((await result).outcome, "succeeded");
  t.slurm.set(job!, "COMPLETED", { node: "n1" });
  await t.executor.close();
  assert.deepEqual(t.jobs.get("a")!.map((j) => [j.id, j.state, j.node]), [
    [job, "PENDING", undefined],
    [job, "RUNNING", "n1"],
    [job, "COMPLETED", "n1"],
  ]);
});

Deno.test("SlurmExecutor does not wait past endStateWaitMs for a job whose stages reported", async () => {
  await using t = await setup();
  const result = t.run("a");
  const [job] = await t.slurm.submitted(1);
  t.slurm.set(job!, "RUNNING", { node: "n1" });
  t.slurm.finish(job!, 0, OK("a"));
  assert.equal((await result).outcome, "succeeded");
  await t.executor.close(); // the job stays RUNNING: returns after endStateWaitMs
  assert.equal(t.jobs.get("a")!.at(-1)!.state, "RUNNING");
});

Deno.test("SlurmExecutor resubmits a stage whose job hit NODE_FAIL, up to --retries", async () => {
  await using t = await setup({ retries: 1 });
  const result = t.run("a");
  const [first] = await t.slurm.submitted(1);
  t.slurm.set(first!, "NODE_FAIL", { reason: "NodeDown", node: "n1" });
  const [, second] = await t.slurm.submitted(2);
  assert.match(
    t.notes.join("\n"),
    /was lost with its node on n1 \(NODE_FAIL, NodeDown\): resubmitting "a" \(retry 1 of 1\)/,
  );
  t.slurm.set(second!, "PREEMPTED");
  const settled = await result;
  assert.equal(settled.outcome, "failed");
  assert.equal(
    settled.outcome === "failed" && settled.message,
    `Slurm job ${second} was preempted (PREEMPTED) (after 1 retry), before this stage started`,
  );
});

Deno.test("SlurmExecutor tells how to retry a lost job when --retries is 0", async () => {
  await using t = await setup();
  const result = t.run("a");
  const [job] = await t.slurm.submitted(1);
  t.slurm.set(job!, "RUNNING", { node: "n1" });
  t.slurm.finish(job!, 0, { outcome: "interrupted" });
  t.slurm.set(job!, "NODE_FAIL", { node: "n1" });
  const settled = await result;
  assert.equal(
    settled.outcome === "failed" && settled.message,
    `Slurm job ${job} was lost with its node on n1 (NODE_FAIL) (\`--retries N\` resubmits such jobs)`,
  );
});

Deno.test("SlurmExecutor explains a task killed by the out-of-memory killer", async () => {
  await using t = await setup();
  const result = t.run("a", { memMiB: 200 });
  const [job] = await t.slurm.submitted(1);
  t.slurm.set(job!, "RUNNING", { node: "n1" });
  t.slurm.finish(job!, 0, { outcome: "failed", message: "Command exited with code 137" });
  // The status alone is not the whole story while the job still runs.
  await new Promise((resolve) => setTimeout(resolve, 60));
  t.slurm.set(job!, "OUT_OF_MEMORY", { node: "n1" });
  const settled = await result;
  assert.equal(
    settled.outcome === "failed" && settled.message,
    `Slurm job ${job} ran out of memory on n1 (OUT_OF_MEMORY with --mem=200M): raise \`resources.mem\`; the task said: Command exited with code 137`,
  );
});

Deno.test("SlurmExecutor waits for an exit file that arrives after COMPLETED", async () => {
  await using t = await setup();
  const late = t.run("late");
  const missing = t.run("missing");
  const [a, b] = await t.slurm.submitted(2);
  t.slurm.start(b!, 0);
  t.slurm.set(a!, "COMPLETED");
  t.slurm.set(b!, "COMPLETED");
  await new Promise((resolve) => setTimeout(resolve, 150));
  t.slurm.finish(a!, 0, OK("late"));
  assert.equal((await late).outcome, "succeeded");
  const settled = await missing;
  assert.match(
    settled.outcome === "failed" ? settled.message : "",
    new RegExp(
      `^Slurm job ${b} completed, but this stage's exit status did not appear in .*0\\.status\\.json within 0 s`,
    ),
  );
});

Deno.test("SlurmExecutor reports a job that never started its stages as a filesystem problem", async () => {
  await using t = await setup();
  const result = t.run("a");
  const [job] = await t.slurm.submitted(1);
  t.slurm.set(job!, "FAILED", { reason: "NonZeroExitCode", node: "n1" });
  const settled = await result;
  assert.match(
    settled.outcome === "failed" ? settled.message : "",
    new RegExp(
      `^Slurm job ${job} ended FAILED on n1 without starting its stages: .*filesystem shared with the compute nodes`,
    ),
  );
});

Deno.test("SlurmExecutor asks sacct about a job that left the queue unseen", async () => {
  await using t = await setup();
  t.slurm.accounting = new Map();
  const result = t.run("a", { timeSeconds: 60 });
  const [job] = await t.slurm.submitted(1);
  t.slurm.set(job!, "RUNNING", { node: "n1" });
  t.slurm.accounting.set(job!, { jobId: job!, state: "TIMEOUT", node: "n1" });
  await new Promise((resolve) => setTimeout(resolve, 40));
  t.slurm.set(job!, "RUNNING", { listed: false });
  const settled = await result;
  assert.equal(
    settled.outcome === "failed" && settled.message,
    `Slurm job ${job} reached its time limit on n1 (TIMEOUT with --time=00:01:00): raise \`resources.time\`, before this stage started`,
  );
});

Deno.test("SlurmExecutor without accounting trusts the exit file of a job that left the queue", async () => {
  await using t = await setup();
  const done = t.run("done");
  const lost = t.run("lost");
  const [a, b] = await t.slurm.submitted(2);
  t.slurm.set(a!, "RUNNING");
  t.slurm.set(b!, "RUNNING");
  await new Promise((resolve) => setTimeout(resolve, 40));
  t.slurm.finish(a!, 0, OK("done"));
  t.slurm.set(a!, "COMPLETED", { listed: false });
  t.slurm.set(b!, "COMPLETED", { listed: false });
  assert.equal((await done).outcome, "succeeded");
  const settled = await lost;
  assert.match(
    settled.outcome === "failed" ? settled.message : "",
    new RegExp(`^Slurm job ${b} left the queue without writing the exit status of this stage`),
  );
  assert.ok(t.notes.includes(
    "Slurm accounting is disabled: jobs that left the queue are judged by their exit-status files",
  ));
});

Deno.test("SlurmExecutor re-attaches to a live job of a dead run instead of submitting", async () => {
  await using t = await setup();
  // The dead run's job, still running on the cluster.
  const old = await t.slurm.sbatch(["--job-name=dropline.r0"], join(t.dir, "old", "job.sh"));
  t.slurm.submissions = [];
  t.slurm.set(old, "RUNNING", { node: "n2" });
  Deno.mkdirSync(join(t.dir, "old"));
  Deno.mkdirSync(join(t.dir, "slurm", "keys"), { recursive: true });
  const record: JobRecord = {
    jobId: old,
    name: "dropline.r0",
    jobDir: join(t.dir, "old"),
    index: 0,
    runId: "r0",
    host: "elsewhere",
    pid: 1,
    resources: {},
  };
  writeJsonAtomic(join(t.dir, "slurm", "keys", "key-a.json"), record);
  const result = t.run("a");
  while (!t.notes.some((n) => n.includes("re-attached"))) await tick();
  assert.deepEqual(t.notes, [`"a": re-attached to Slurm job ${old} (RUNNING) of run r0`]);
  t.slurm.finish(old, 0, OK("a"));
  assert.equal((await result).outcome, "succeeded");
  assert.deepEqual(t.slurm.submissions, [], "nothing submitted again");
  assert.equal(t.jobs.get("a")![0]!.id, old);
});

Deno.test("SlurmExecutor cancels the run's jobs on abort and waits for them to end", async () => {
  await using t = await setup();
  const results = Promise.all([t.run("a"), t.run("b", { cpus: 2 })]);
  const ids = await t.slurm.submitted(2);
  t.slurm.set(ids[0]!, "RUNNING");
  t.controller.abort();
  assert.deepEqual((await results).map((r) => r.outcome), ["interrupted", "interrupted"]);
  assert.deepEqual(t.slurm.cancelled.sort(), ids.sort());
});

Deno.test("SlurmExecutor polls with one squeue for all of the run's jobs", async () => {
  await using t = await setup();
  const results = Promise.all(["a", "b", "c", "d"].map((id, i) => t.run(id, { cpus: i + 1 })));
  const ids = await t.slurm.submitted(4);
  const before = t.slurm.squeueCalls;
  ids.forEach((id) => t.slurm.set(id, "RUNNING"));
  ids.forEach((id, i) => t.slurm.finish(id, 0, OK(String(i))));
  await results;
  // Four jobs settle within a poll or two, not four queries per poll.
  assert.ok(t.slurm.squeueCalls - before <= 3, `${t.slurm.squeueCalls - before} squeue calls`);
});

Deno.test("SlurmExecutor cancels jobs that have not started when the run stops (fail-fast)", async () => {
  await using t = await setup();
  const running = t.run("running");
  const queued = t.run("queued", { cpus: 2 });
  const [a, b] = await t.slurm.submitted(2);
  t.slurm.set(a!, "RUNNING", { node: "n1" });
  t.slurm.set(b!, "PENDING", { reason: "Resources" });
  t.slurm.start(a!, 0);
  while (t.jobs.get("running")?.at(-1)?.state !== "RUNNING") await tick();
  t.executor.stop('not started: the run stopped after "x" failed');
  assert.deepEqual(await queued, {
    outcome: "skipped",
    reason: 'not started: the run stopped after "x" failed',
  });
  assert.deepEqual(t.slurm.cancelled, [b]);
  // A stage that becomes ready later is not submitted either.
  assert.equal((await t.run("later")).outcome, "skipped");
  assert.equal(t.slurm.submissions.length, 2);
  t.slurm.finish(a!, 0, OK("running"));
  assert.equal((await running).outcome, "succeeded");
});

Deno.test("SlurmExecutor submits no other group of the batch after one fails at sbatch (fail-fast)", async () => {
  await using t = await setup();
  const results = Promise.all([
    t.run("a", { partition: "nosuch" }),
    ...["b", "c", "d"].map((id) => t.run(id, { cpus: 2 })),
  ]);
  const settled = await within(results);
  assert.deepEqual(settled.map((r) => r.outcome === "skipped" ? r.reason : r.outcome), [
    "failed",
    'not started: the run stopped after "a" failed',
    'not started: the run stopped after "a" failed',
    'not started: the run stopped after "a" failed',
  ]);
  assert.deepEqual(t.slurm.submissions, []);
});

Deno.test("SlurmExecutor with keepGoing submits the other groups after one fails at sbatch", async () => {
  await using t = await setup({ keepGoing: true });
  const failed = t.run("a", { partition: "nosuch" });
  const others = ["b", "c"].map((id) => t.run(id, { cpus: 2 }));
  assert.equal((await failed).outcome, "failed");
  const ids = await t.slurm.submitted(2);
  ids.forEach((id, i) => {
    t.slurm.set(id, "RUNNING");
    t.slurm.finish(id, 0, OK(String(i)));
  });
  assert.deepEqual((await Promise.all(others)).map((r) => r.outcome), ["succeeded", "succeeded"]);
});

Deno.test("SlurmExecutor settles a stage its job never started (skipped status) as skipped", async () => {
  await using t = await setup();
  const grouped = { groupSize: 3 };
  const results = Promise.all(["a", "b", "c"].map((id) => t.run(id, grouped)));
  const [job] = await t.slurm.submitted(1);
  t.slurm.set(job!, "RUNNING", { node: "n1" });
  const reason = 'not started: the run stopped after "b" failed';
  t.slurm.finish(job!, 0, OK("a"));
  t.slurm.finish(job!, 1, { outcome: "failed", message: "Command exited with code 1" });
  t.slurm.finish(job!, 2, { outcome: "skipped", reason });
  t.slurm.set(job!, "FAILED", { node: "n1" });
  assert.deepEqual((await results).map((r) => r.outcome), ["succeeded", "failed", "skipped"]);
  assert.deepEqual(t.started.sort(), ["a", "b"], "a skipped stage never started");
});

Deno.test("SlurmExecutor reads exit-status files while squeue fails", async () => {
  await using t = await setup();
  const result = t.run("a");
  const [job] = await t.slurm.submitted(1);
  t.slurm.down = true;
  t.slurm.finish(job!, 0, OK("a"));
  assert.equal((await within(result)).outcome, "succeeded");
  assert.ok(t.notes.includes(`squeue failed, retrying: ${UNREACHABLE}`), t.notes.join("\n"));
});

Deno.test("SlurmExecutor gives up waiting after an interrupt when it cannot cancel, naming the jobs", async () => {
  await using t = await setup({ cancelWaitMs: 200 });
  const results = Promise.all([t.run("a"), t.run("b", { cpus: 2 })]);
  const ids = await t.slurm.submitted(2);
  t.slurm.set(ids[0]!, "RUNNING", { node: "n1" });
  t.slurm.down = true;
  t.controller.abort();
  assert.deepEqual((await within(results)).map((r) => r.outcome), ["interrupted", "interrupted"]);
  await within(t.executor.close());
  assert.deepEqual(t.slurm.cancelled, []);
  assert.ok(
    t.notes.includes(
      `Could not cancel Slurm jobs ${
        ids.join(", ")
      } within 0 s of the interrupt (${UNREACHABLE}): ` +
        `they may still be queued or running. Cancel them with \`scancel ${ids.join(" ")}\` ` +
        "once the controller answers (a plain re-run follows them instead of submitting their " +
        "stages again)",
    ),
    t.notes.join("\n"),
  );
  // Their key records stay: a re-run re-attaches to the jobs instead of submitting again.
  assert.deepEqual(
    [...Deno.readDirSync(join(t.dir, "slurm", "keys"))].map((e) => e.name).sort(),
    ["key-a.json", "key-b.json"],
  );
});
