/**
 * `--executor slurm` on the one-node cluster of scripts/slurm_local.sh. The
 * tests of this file share the cluster and run one after another (Deno runs
 * a file's tests in order); with 2 CPUs, at most two jobs run at once.
 */
import assert from "node:assert/strict";
import { hostname } from "node:os";
import { join } from "node:path";
import type { Progress, Task } from "@dropline/task";
import { loadPipeline, runPipeline, SlurmExecutor } from "@dropline/engine";
import { TASKS } from "@dropline/tasks";
import probe from "../engine/fixtures/probe_task.ts";
import { finish, killTree, tempProject, waitForFile } from "../engine/_project.ts";
import { command, jobsNamed, localCluster } from "../support/slurm_cluster.ts";
import type { StatusJob } from "../../packages/cli/stage_status.ts";

const cluster = await localCluster();
const ignore = !cluster.ready;
if (!cluster.ready) console.warn(`Slurm tests skipped: ${cluster.why}`);

/** 20 stages: one seed, 16 squares of it, their sum (fan-in), a report, and one alone. */
const FAN_IN = `name: fanin
resources:
  mem: 300M
  time: 5m
stages:
  seed:
    task: shell
    with:
      run: echo 3 > "$OUT/seed.txt"; echo seed >> executions.log
  square:
    task: shell
    matrix:
      i: [${Array.from({ length: 16 }, (_, i) => i).join(", ")}]
    with:
      run: |
        s=$(cat \${{ stages.seed.out }}/seed.txt)
        echo $(( \${{ matrix.i }} * \${{ matrix.i }} + s )) > "$OUT/v.txt"
        echo square \${{ matrix.i }} >> executions.log
  total:
    task: shell
    with:
      run: |
        for d in \${{ stages.square.out }}; do cat "$d/v.txt"; done | awk '{ s += $1 } END { print s }' > "$OUT/total.txt"
        echo total >> executions.log
  report:
    task: shell
    with:
      run: echo "total is $(cat \${{ stages.total.out }}/total.txt)" > "$OUT/report.txt"; echo report >> executions.log
  alone:
    task: shell
    with:
      run: hostname > /dev/null; echo alone > "$OUT/alone.txt"; echo alone >> executions.log
`;

interface StatusJson {
  stages: {
    id: string;
    key: string | null;
    state: string;
    job: StatusJob | null;
  }[];
}

function lastRunDigests(db: ReturnType<Awaited<ReturnType<typeof tempProject>>["journal"]>) {
  const [last] = db.listRuns({ noop: true });
  const digests = db.listStages(last!.id).map((s) => [s.id, db.getStage(last!.id, s.id)!.digest]);
  db.close();
  return Object.fromEntries(digests);
}

function runId(stdout: string): string {
  const id = /\(run (\S+)\)/.exec(stdout)?.[1];
  assert.ok(id, `no run id in:\n${stdout}`);
  return id;
}

Deno.test({
  name:
    "slurm: a 20-stage pipeline with fan-in gives the keys and outputs of a local run, then is all cached",
  ignore,
  fn: async () => {
    await using local = await tempProject({ "p.yaml": FAN_IN });
    await using slurm = await tempProject({ "p.yaml": FAN_IN });
    const here = await local.run("run", "p.yaml");
    assert.equal(here.code, 0, here.stdout + here.stderr);
    const there = await slurm.run("run", "p.yaml", "--executor", "slurm");
    assert.equal(there.code, 0, there.stdout + there.stderr);
    assert.match(there.stdout, /fanin: 20 ran, 0 cached, 0 failed, 0 skipped/);
    assert.equal(there.stdout.match(/submitted Slurm job \d+ for "/g)?.length, 20);

    const status = async (p: typeof local) =>
      JSON.parse((await p.run("status", "p.yaml", "--json")).stdout) as StatusJson;
    const [localStatus, slurmStatus] = [await status(local), await status(slurm)];
    assert.deepEqual(
      slurmStatus.stages.map((s) => [s.id, s.key, s.state]),
      localStatus.stages.map((s) => [s.id, s.key, "cached"]),
    );
    assert.deepEqual(lastRunDigests(slurm.journal()), lastRunDigests(local.journal()));
    const report = (p: typeof local) =>
      Deno.readTextFile(
        join(p.cache, "objects", ...objectPath(slurmStatus, "report"), "out", "report.txt"),
      );
    assert.equal(await report(slurm), "total is 1288\n");
    assert.equal(await report(slurm), await report(local));
    // Every stage ran once, on the node, writing into the shared project directory.
    assert.equal((await slurm.lines("executions.log")).length, 20);
    const jobs = await jobsNamed(`dropline.${runId(there.stdout)}`);
    assert.equal(jobs.length, 20);
    assert.ok(jobs.every((j) => j.state === "COMPLETED"), JSON.stringify(jobs));
    // status --json names each stage's job as the cluster does: id, node and end state.
    const byId = new Map(jobs.map((j) => [j.id, j]));
    for (const { id, job } of slurmStatus.stages) {
      const real = job?.id ? byId.get(job.id) : undefined;
      assert.ok(real, `${id}: ${JSON.stringify(job)} is none of the run's jobs`);
      assert.deepEqual(job, {
        executor: "slurm",
        id: real.id,
        node: real.node,
        state: "COMPLETED",
        reason: null,
        run: runId(there.stdout),
      });
      byId.delete(real.id);
    }
    assert.equal(byId.size, 0, "one job per stage");
    assert.deepEqual(
      localStatus.stages.map((s) => [s.job?.executor, s.job?.id, s.job?.node]),
      localStatus.stages.map(() => ["local", null, hostname()]),
    );
    // Jobs that succeeded leave nothing behind but their results and logs.
    assert.deepEqual([...Deno.readDirSync(join(slurm.cache, "slurm"))].map((e) => e.name), [
      "keys",
    ]);
    assert.deepEqual([...Deno.readDirSync(join(slurm.cache, "slurm", "keys"))], []);

    const again = await slurm.run("run", "p.yaml", "--executor", "slurm");
    assert.equal(again.code, 0, again.stdout + again.stderr);
    assert.match(again.stdout, /fanin: 0 ran, 20 cached/);
    assert.doesNotMatch(again.stdout, /submitted Slurm job/);
  },
});

function objectPath(status: StatusJson, id: string): string[] {
  const key = status.stages.find((s) => s.id === id)!.key!;
  return [key.slice(0, 2), key];
}

Deno.test("run --dry-run --executor slurm prints each stage's sbatch flags and submits nothing", async () => {
  await using p = await tempProject({ "p.yaml": FAN_IN });
  const result = await p.run("run", "p.yaml", "--dry-run", "--executor", "slurm");
  assert.equal(result.code, 0, result.stderr);
  const lines = result.stdout.split("\n");
  assert.deepEqual(lines.slice(0, 2), [
    "would run  seed: no result for this key (the stage never ran)",
    "            as a Slurm job: sbatch --mem=300M --time=00:05:00",
  ]);
  assert.match(result.stdout, /fanin: 20 would run, 0 cached \(dry run: nothing executed\)/);
  assert.equal(await Deno.stat(p.cache).then(() => true, () => false), false, "no cache written");
});

Deno.test({
  name: "slurm: a failing stage, one over its memory and one over its time limit say why",
  ignore,
  fn: async () => {
    await using p = await tempProject({
      "p.yaml": `name: failures
executor: slurm
resources:
  mem: 300M
stages:
  exits:
    task: shell
    with:
      run: echo going to fail; exit 3
  hog:
    task: shell
    resources:
      mem: 200M
    with:
      # \`tail -n 1\` keeps a newline-free input in memory: 2 GB of it.
      run: head -c 2000m /dev/zero | tail -n 1 > /dev/null
  slow:
    task: shell
    resources:
      time: 1m
    with:
      run: sleep 600
  fine:
    task: shell
    with:
      run: echo ok > "$OUT/ok.txt"
`,
    });
    const result = await p.run("run", "p.yaml", "--keep-going");
    assert.equal(result.code, 1, result.stdout + result.stderr);
    assert.match(result.stdout, /failures: 1 ran, 0 cached, 3 failed/);
    assert.match(result.stdout, /✖ exits: Command exited with code 3:\n\s+going to fail/);
    assert.match(
      result.stdout,
      /✖ hog: Slurm job \d+ ran out of memory on localhost \(OUT_OF_MEMORY with --mem=200M\): raise `resources.mem`/,
    );
    assert.match(
      result.stdout,
      /✖ slow: Slurm job \d+ reached its time limit on localhost \(TIMEOUT with --time=00:01:00\): raise `resources.time`:\n\s+slurmstepd.*DUE TO TIME LIMIT/,
    );
    // The failed jobs' directories stay, with Slurm's output; the one that succeeded is gone.
    const jobDirs = [...Deno.readDirSync(join(p.cache, "slurm", runId(result.stdout)))];
    assert.equal(jobDirs.length, 3);
  },
});

Deno.test({
  name: "slurm: Ctrl-C cancels the run's jobs and leaves none in the queue",
  ignore,
  fn: async () => {
    await using p = await tempProject({
      "p.yaml": `name: cancel
executor: slurm
resources:
  mem: 300M
stages:
  wait:
    task: shell
    matrix:
      i: [1, 2, 3]
    with:
      run: touch started-\${{ matrix.i }}; while [ ! -f release ]; do sleep 0.1; done
`,
    });
    const child = p.spawn("run", "p.yaml");
    await waitForFile(join(p.dir, "started-1"), { child, timeoutMs: 60_000 });
    await waitForFile(join(p.dir, "started-2"), { child, timeoutMs: 60_000 });
    Deno.kill(child.pid, "SIGINT");
    const result = await finish(child);
    assert.equal(result.code, 130, result.stdout + result.stderr);
    assert.match(result.stdout, /cancel: 0 ran, 0 cached, 0 failed, 0 skipped, 3 interrupted/);
    const jobs = await jobsNamed(`dropline.${runId(result.stdout)}`);
    assert.equal(jobs.length, 3);
    assert.deepEqual(jobs.map((j) => j.state), ["CANCELLED", "CANCELLED", "CANCELLED"]);
    const live = await command("squeue", ["-h", `--name=dropline.${runId(result.stdout)}`]);
    assert.equal(live.stdout, "", "nothing pending or running");
    assert.deepEqual(
      [...Deno.readDirSync(join(p.cache, "slurm", "keys"))],
      [],
      "no job is left to re-attach to",
    );
  },
});

Deno.test({
  name: "slurm: after a failure (fail-fast) queued jobs are cancelled and running ones finish",
  ignore,
  fn: async () => {
    await using p = await tempProject({
      "p.yaml": `name: failfast
executor: slurm
resources:
  mem: 300M
stages:
  long:
    task: shell
    with:
      run: touch started; while [ ! -f release ]; do sleep 0.1; done; echo done > "$OUT/x"
  bad:
    task: shell
    with:
      run: exit 1
  queued:
    task: shell
    matrix:
      i: [1, 2, 3]
    resources:
      # More than the node has left while \`long\` runs: these stay queued.
      mem: 21500M
    with:
      run: echo \${{ matrix.i }} > "$OUT/x"
`,
    });
    const child = p.spawn("run", "p.yaml");
    const stdout = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
    let seen = "";
    while (
      !/cancelling queued Slurm jobs \d+, \d+, \d+: not started: the run stopped after "bad" failed/
        .test(seen)
    ) {
      const { value, done } = await stdout.read();
      assert.ok(!done, `the run ended before cancelling:\n${seen}`);
      seen += value;
    }
    await waitForFile(join(p.dir, "started"), { timeoutMs: 60_000 });
    await Deno.writeTextFile(join(p.dir, "release"), "");
    for (let r = await stdout.read(); !r.done; r = await stdout.read()) seen += r.value;
    assert.equal((await child.status).code, 1, seen);
    assert.match(seen, /failfast: 1 ran, 0 cached, 1 failed, 3 skipped/);
    assert.match(seen, /- queued\[i=1\]: not started: the run stopped after "bad" failed/);
    const states = (await jobsNamed(`dropline.${runId(seen)}`)).map((j) => j.state).sort();
    assert.deepEqual(states, ["CANCELLED", "CANCELLED", "CANCELLED", "COMPLETED", "FAILED"]);
  },
});

const REATTACH = `name: reattach
executor: slurm
resources:
  mem: 300M
stages:
  quick:
    task: shell
    with:
      run: echo quick >> runs.log; echo 1 > "$OUT/q"
  held:
    task: shell
    needs: [quick]
    with:
      run: echo held >> runs.log; touch started-held; while [ ! -f release-held ]; do sleep 0.1; done; echo 2 > "$OUT/h"
  meanwhile:
    task: shell
    needs: [quick]
    with:
      run: echo meanwhile >> runs.log; touch started-meanwhile; while [ ! -f release-meanwhile ]; do sleep 0.1; done; echo 3 > "$OUT/m"
  after:
    task: shell
    with:
      run: echo after >> runs.log; cat \${{ stages.held.out }}/h \${{ stages.meanwhile.out }}/m > "$OUT/a"
`;

Deno.test({
  name:
    "slurm: after kill -9 of the driver a plain re-run re-attaches to its jobs; no stage runs twice",
  ignore,
  fn: async () => {
    await using p = await tempProject({ "p.yaml": REATTACH });
    const first = p.spawn("run", "p.yaml");
    await waitForFile(join(p.dir, "started-held"), { child: first, timeoutMs: 60_000 });
    await waitForFile(join(p.dir, "started-meanwhile"), { child: first, timeoutMs: 60_000 });
    killTree(first.pid);
    assert.equal((await finish(first)).code, 137);
    const db = p.journal();
    const [dead] = db.listRuns();
    db.close();
    const deadJobs = `dropline.${dead!.id}`;
    assert.equal((await jobsNamed(deadJobs)).filter((j) => j.state === "RUNNING").length, 2);

    // One job finishes while no driver watches it.
    await Deno.writeTextFile(join(p.dir, "release-meanwhile"), "");
    while ((await jobsNamed(deadJobs)).filter((j) => j.state === "COMPLETED").length < 2) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const second = p.spawn("run", "p.yaml");
    const stdout = second.stdout.pipeThrough(new TextDecoderStream()).getReader();
    let seen = "";
    while (!/"held": re-attached to Slurm job \d+ \(RUNNING\)/.test(seen)) {
      const { value, done } = await stdout.read();
      assert.ok(!done, `the re-run ended without re-attaching:\n${seen}`);
      seen += value;
    }
    await Deno.writeTextFile(join(p.dir, "release-held"), "");
    while (true) {
      const { value, done } = await stdout.read();
      if (done) break;
      seen += value;
    }
    assert.equal((await second.status).code, 0, seen);
    assert.match(seen, /reattach: 2 ran, 2 cached, 0 failed/);
    // `held` and `meanwhile` run side by side, so their lines come in either order.
    const runs = await p.lines("runs.log");
    assert.deepEqual([runs[0], ...runs.slice(1, 3).sort(), runs[3], runs.length], [
      "quick",
      "held",
      "meanwhile",
      "after",
      4,
    ]);
    // The re-run submitted only `after`; `held` stayed the dead run's job.
    const [afterJob] = await jobsNamed(`dropline.${runId(seen)}`);
    const deadIds = (await jobsNamed(deadJobs)).map((j) => j.id);
    assert.equal(deadIds.length, 3);
    // status --json: the re-run's attempt of `held` is the dead run's job it re-attached to.
    const status = await p.run("status", "p.yaml", "--json");
    const jobOf = (id: string) =>
      (JSON.parse(status.stdout) as StatusJson).stages.find((s) => s.id === id)!.job!;
    assert.equal(jobOf("held").run, runId(seen));
    assert.ok(deadIds.includes(jobOf("held").id!), JSON.stringify(jobOf("held")));
    assert.equal(jobOf("held").state, "COMPLETED");
    assert.equal(jobOf("after").id, afterJob!.id);
  },
});

Deno.test({
  name: "slurm: a 200-way matrix of tiny stages runs as a few grouped jobs",
  ignore,
  fn: async () => {
    await using p = await tempProject({
      "p.yaml": `name: sweep
executor: slurm
resources:
  mem: 500M
  time: 1m
  group_size: 50
stages:
  point:
    task: shell
    matrix:
      i: [${Array.from({ length: 200 }, (_, i) => i).join(", ")}]
    with:
      run: echo $(( \${{ matrix.i }} * 2 )) > "$OUT/v"
  total:
    task: shell
    with:
      run: |
        for d in \${{ stages.point.out }}; do cat "$d/v"; done | awk '{ s += $1 } END { print s }' > "$OUT/total"
`,
    });
    const result = await p.run("run", "p.yaml");
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.match(result.stdout, /sweep: 201 ran, 0 cached, 0 failed/);
    assert.equal(result.stdout.match(/submitted Slurm job \d+ for 50 stages/g)?.length, 4);
    assert.equal((await jobsNamed(`dropline.${runId(result.stdout)}`)).length, 5);
    const total = (await p.run("status", "p.yaml", "--json")).stdout;
    const key = (JSON.parse(total) as StatusJson).stages.find((s) => s.id === "total")!.key!;
    assert.equal(
      await Deno.readTextFile(join(p.cache, "objects", key.slice(0, 2), key, "out", "total")),
      `${199 * 200}\n`,
    );
  },
});

Deno.test({
  name:
    "slurm: --retries resubmits a job lost with its node; the stage resumes from its checkpoint",
  ignore,
  fn: async () => {
    await using p = await tempProject({
      "p.yaml": `name: retry
resources:
  mem: 500M
stages:
  train:
    task: probe
    with: { steps: 4, pause_before: 2 }
`,
    });
    const tasks: ReadonlyMap<string, Task> = new Map([...TASKS, [probe.name, probe]]);
    const pipeline = await loadPipeline(join(p.dir, "p.yaml"), { tasks });
    const notes: string[] = [];
    const progress: Progress[] = [];
    const running = runPipeline(pipeline, {
      cacheDir: p.cache,
      keepGoing: false,
      forced: new Set(),
      argv: [],
      signal: new AbortController().signal,
      reporter: {
        started() {},
        progress: (_, update) => progress.push(update),
        finished() {},
        note: (message) => notes.push(message),
        close() {},
      },
      executor: ({ runId, store }) =>
        new SlurmExecutor({
          runId,
          pipelineName: pipeline.name,
          store,
          retries: 1,
          note: (message) => notes.push(message),
          timings: { pollMaxMs: 2_000 },
        }),
    });
    await waitForFile(join(p.dir, "paused"), { timeoutMs: 60_000 });
    await Deno.remove(join(p.dir, "paused"));
    try {
      const down = await command("scontrol", [
        "update",
        "nodename=localhost",
        "state=down",
        "reason=dropline-retry-test",
      ]);
      assert.ok(down.ok, down.stderr);
      while (!notes.some((n) => /resubmitting "train" \(retry 1 of 1\)/.test(n))) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    } finally {
      await command("scontrol", ["update", "nodename=localhost", "state=resume"]);
    }
    assert.match(notes.join("\n"), /was lost with its node on localhost \(NODE_FAIL/);
    // The second job picks up the checkpoint and pauses again at the same step.
    await waitForFile(join(p.dir, "paused"), { timeoutMs: 120_000 });
    await Deno.writeTextFile(join(p.dir, "release"), "");
    const summary = await running;
    assert.equal(summary.state, "succeeded", JSON.stringify(summary.failures));
    assert.equal(notes.filter((n) => n.startsWith("submitted Slurm job")).length, 2);
    const db = p.journal();
    const [run] = db.listRuns();
    const [row] = db.listStages(run!.id).map((s) => db.getStage(run!.id, s.id)!);
    db.close();
    const result = JSON.parse(await Deno.readTextFile(join(row!.outPath!, "result.json")));
    assert.equal(result.resumedFrom, 2);
    // Progress written on the node reaches the driver, in order, the last step included.
    const done = progress.map((update) => update.done);
    assert.deepEqual(done, [...done].sort(), JSON.stringify(done));
    assert.equal(done.at(-1), 4);
  },
});

Deno.test({
  name: "slurm: a stage refused by sbatch stops the other stages of its batch (fail-fast)",
  ignore,
  fn: async () => {
    await using p = await tempProject({
      "p.yaml": `name: refused
executor: slurm
resources:
  mem: 300M
stages:
  a:
    task: shell
    resources: { partition: nosuch }
    with:
      run: echo a >> executions.log
  b:
    task: shell
    matrix:
      i: [1, 2, 3]
    with:
      run: echo b >> executions.log
`,
    });
    const result = await p.run("run", "p.yaml");
    assert.equal(result.code, 1, result.stdout + result.stderr);
    assert.match(result.stdout, /refused: 0 ran, 0 cached, 1 failed, 3 skipped/);
    assert.match(result.stdout, /✖ a: Cannot submit to Slurm: sbatch failed .*partition/);
    assert.doesNotMatch(result.stdout, /submitted Slurm job/);
    assert.deepEqual(await jobsNamed(`dropline.${runId(result.stdout)}`), []);
    assert.deepEqual(await p.lines("executions.log"), []);
  },
});

const GROUPED_FAILURE = `name: grouped
executor: slurm
resources:
  mem: 300M
  time: 2m
  group_size: 4
stages:
  g:
    task: shell
    matrix:
      i: [1, 2, 3, 4]
    with:
      run: echo \${{ matrix.i }} >> executions.log; [ \${{ matrix.i }} != 2 ]
`;

Deno.test({
  name: "slurm: a job of grouped stages starts none after one failed, unless --keep-going",
  ignore,
  fn: async () => {
    await using p = await tempProject({ "p.yaml": GROUPED_FAILURE });
    const result = await p.run("run", "p.yaml");
    assert.equal(result.code, 1, result.stdout + result.stderr);
    assert.match(result.stdout, /submitted Slurm job \d+ for 4 stages/);
    assert.match(result.stdout, /grouped: 1 ran, 0 cached, 1 failed, 2 skipped/);
    assert.match(result.stdout, /- g\[i=3\]: not started: the run stopped after "g\[i=2\]" failed/);
    assert.deepEqual(await p.lines("executions.log"), ["1", "2"]);

    await using q = await tempProject({ "p.yaml": GROUPED_FAILURE });
    const going = await q.run("run", "p.yaml", "--keep-going");
    assert.equal(going.code, 1, going.stdout + going.stderr);
    assert.match(going.stdout, /grouped: 3 ran, 0 cached, 1 failed, 0 skipped/);
    assert.deepEqual(await q.lines("executions.log"), ["1", "2", "3", "4"]);
  },
});

const SLURM_SCRIPT = new URL("../../scripts/slurm_local.sh", import.meta.url).pathname;

/** Stops slurmctld (by its pid file) and waits until it is gone. */
async function stopController(): Promise<void> {
  const conf = Deno.env.get("SLURM_CONF")!;
  const pid = Number(await Deno.readTextFile(join(conf, "..", "slurmctld.pid")));
  Deno.kill(pid, "SIGTERM");
  while (await Deno.stat(`/proc/${pid}`).then(() => true, () => false)) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

Deno.test({
  name:
    "slurm: Ctrl-C while slurmctld is down gives up within the cancel wait, naming the job to cancel",
  ignore,
  fn: async () => {
    await using p = await tempProject({
      "p.yaml": `name: down
executor: slurm
resources:
  mem: 300M
stages:
  wait:
    task: shell
    with:
      run: touch started; while [ ! -f release ]; do sleep 0.1; done; echo ok > "$OUT/x"
`,
    });
    Deno.env.set("DROPLINE_SLURM_CANCEL_WAIT", "12");
    const child = p.spawn("run", "p.yaml");
    Deno.env.delete("DROPLINE_SLURM_CANCEL_WAIT");
    let restarted = false;
    try {
      await waitForFile(join(p.dir, "started"), { child, timeoutMs: 60_000 });
      await stopController();
      const interruptedAt = Date.now();
      Deno.kill(child.pid, "SIGINT");
      const result = await finish(child);
      const waited = Date.now() - interruptedAt;
      assert.equal(result.code, 130, result.stdout + result.stderr);
      assert.ok(waited < 40_000, `exited ${waited} ms after Ctrl-C`);
      assert.match(result.stdout, /down: 0 ran, 0 cached, 0 failed, 0 skipped, 1 interrupted/);
      const job = /submitted Slurm job (\d+)/.exec(result.stdout)?.[1];
      assert.ok(job, result.stdout);
      assert.match(
        result.stdout,
        new RegExp(
          `Could not cancel Slurm jobs ${job} within 12 s of the interrupt \\(.*Unable to contact slurm controller.*\\): ` +
            `they may still be queued or running. Cancel them with \`scancel ${job}\``,
        ),
      );
      // Which executor the pipeline asked for, and a failure of the environment (exit 1).
      const again = await p.run("run", "p.yaml");
      assert.equal(again.code, 1, again.stdout + again.stderr);
      assert.match(
        again.stderr,
        /^Cannot use Slurm \(chosen by the pipeline's `executor`\): cannot reach the Slurm controller: .*Unable to contact slurm controller/,
      );

      // Once the controller is back, a plain re-run follows the job it left.
      assert.ok((await command(SLURM_SCRIPT, ["start"])).ok);
      restarted = true;
      const rerun = p.spawn("run", "p.yaml");
      const stdout = rerun.stdout.pipeThrough(new TextDecoderStream()).getReader();
      let seen = "";
      while (!new RegExp(`"wait": re-attached to Slurm job ${job} \\(RUNNING\\)`).test(seen)) {
        const { value, done } = await stdout.read();
        assert.ok(!done, `the re-run ended without re-attaching:\n${seen}`);
        seen += value;
      }
      await Deno.writeTextFile(join(p.dir, "release"), "");
      for (let r = await stdout.read(); !r.done; r = await stdout.read()) seen += r.value;
      assert.equal((await rerun.status).code, 0, seen);
      assert.match(seen, /down: 1 ran, 0 cached, 0 failed/);
    } finally {
      await Deno.writeTextFile(join(p.dir, "release"), "");
      if (!restarted) await command(SLURM_SCRIPT, ["start"]);
    }
  },
});
