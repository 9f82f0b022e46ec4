import assert from "node:assert/strict";
import { join } from "node:path";
import type { JournalReader } from "@dropline/engine";
import {
  finish,
  fixture,
  killTree,
  MAIN,
  processTree,
  tempProject,
  waitForFile,
} from "./_project.ts";

function stageStates(db: JournalReader, runId: string) {
  return db.listStages(runId).map((s) => ({ stage_id: s.id, state: s.state, reason: s.reason }));
}

/** Whether a process exists and is not a zombie. */
function isAlive(pid: number): boolean {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
  } catch {
    return false;
  }
}

Deno.test("run: after kill -9 of the whole process tree, a plain re-run resumes", async () => {
  await using p = await tempProject({ "p.yaml": await fixture("resume.yaml") });
  const child = p.spawn("run", "p.yaml");
  await waitForFile(join(p.dir, "started"), { child });
  const killed = killTree(child.pid);
  assert.ok(killed.length >= 2, "the runner and the stage's bash");
  const crashed = await finish(child);
  assert.equal(crashed.code, 137);
  const db = p.journal();
  const [dead] = db.listRuns();
  assert.equal(dead!.state, "running", "nobody recorded the end");
  // The journal is written behind by a few milliseconds, so the killed run
  // may not have recorded its last changes; resume relies on the store.
  const states = new Map(stageStates(db, dead!.id).map((s) => [s.stage_id, s.state]));
  assert.notEqual(states.get("slow"), "succeeded");
  assert.notEqual(states.get("after"), "succeeded");
  db.close();

  await Deno.remove(join(p.dir, "started"));
  await Deno.writeTextFile(join(p.dir, "release"), "");
  const resumed = await p.run("run", "p.yaml");
  assert.equal(resumed.code, 0, resumed.stderr);
  assert.match(resumed.stdout, /resume: 2 ran, 1 cached, 0 failed, 0 skipped/);
  assert.doesNotMatch(resumed.stdout, /waits/, "the dead holder's lock is taken over at once");
  assert.deepEqual(await p.lines("runs.log"), ["first", "slow", "slow", "after"]);
  const after = p.journal();
  try {
    const runs = after.listRuns().reverse();
    assert.deepEqual(runs.map((r) => r.state), ["interrupted", "succeeded"]);
    const slow = stageStates(after, runs[1]!.id)[1]!;
    // "(the last attempt was interrupted)" when the dead run's journal got that far.
    assert.match(slow.reason, /^no result for this key/);
  } finally {
    after.close();
  }
});

Deno.test("run: Ctrl-C stops the running stage, records it interrupted and exits 130", async () => {
  await using p = await tempProject({ "p.yaml": await fixture("resume.yaml") });
  const child = p.spawn("run", "p.yaml");
  await waitForFile(join(p.dir, "started"), { child });
  const status = JSON.parse((await p.run("status", "p.yaml", "--json")).stdout);
  const running = status.stages.find((s: { id: string }) => s.id === "slow");
  assert.equal(running.state, "running");
  assert.match(running.reason, new RegExp(`^running in run \\S+ \\(pid ${child.pid} on `));
  const why = await p.run("why", "p.yaml", "slow");
  assert.match(
    why.stdout,
    new RegExp(`^slow: running: running in run \\S+ \\(pid ${child.pid} on `),
  );
  const tree = processTree(child.pid);
  Deno.kill(child.pid, "SIGINT");
  const result = await finish(child);
  assert.equal(result.code, 130, result.stdout + result.stderr);
  assert.match(result.stdout, /Interrupted: stopping running stages/);
  assert.match(result.stdout, /resume: 1 ran, 0 cached, 0 failed, 1 skipped, 1 interrupted/);
  assert.ok(tree.length >= 2, "the runner and the stage's bash");
  assert.deepEqual(tree.slice(1).filter(isAlive), [], "the stage's processes are stopped");
  const db = p.journal();
  try {
    const [run] = db.listRuns();
    assert.equal(run!.state, "interrupted");
    assert.deepEqual(stageStates(db, run!.id), [
      {
        stage_id: "first",
        state: "succeeded",
        reason: "no result for this key (the stage never ran)",
      },
      {
        stage_id: "slow",
        state: "interrupted",
        reason: "no result for this key (the stage never ran)",
      },
      { stage_id: "after", state: "skipped", reason: "not started: the run was interrupted" },
    ]);
  } finally {
    db.close();
  }
  await Deno.writeTextFile(join(p.dir, "release"), "");
  const resumed = await p.run("run", "p.yaml");
  assert.equal(resumed.code, 0, resumed.stderr);
  assert.deepEqual(await p.lines("runs.log"), ["first", "slow", "slow", "after"]);
});

Deno.test("run: Ctrl-C in a terminal (the whole process group) records the stage interrupted", async () => {
  await using p = await tempProject({ "p.yaml": await fixture("resume.yaml") });
  // setsid gives the runner its own process group, as a shell's job would have.
  const child = new Deno.Command("setsid", {
    args: [Deno.execPath(), "run", "-A", "--quiet", MAIN, "run", "p.yaml", "--cache-dir", p.cache],
    cwd: p.dir,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  await waitForFile(join(p.dir, "started"), { child });
  Deno.kill(-child.pid, "SIGINT");
  const result = await finish(child);
  assert.equal(result.code, 130, result.stdout + result.stderr);
  assert.doesNotMatch(result.stdout, /✖|failed: Command exited/);
  const db = p.journal();
  try {
    const [run] = db.listRuns();
    const slow = stageStates(db, run!.id).find((s) => s.stage_id === "slow");
    assert.equal(slow!.state, "interrupted");
  } finally {
    db.close();
  }
});

Deno.test("run: one Ctrl-C that arrives twice (`deno task` passes it on) stops in order; a script ignoring SIGTERM gets SIGKILL", async () => {
  // The stage ignores SIGTERM, so stopping it takes the grace period until
  // SIGKILL (10 s): the second signal arrives while the run is stopping.
  const pipeline = `name: stubborn
stages:
  wait:
    task: shell
    with:
      run: trap '' INT TERM; touch started; sleep 30
  after:
    task: shell
    with:
      run: ls \${{ stages.wait.out }} > "$OUT/l.txt"
`;
  await using p = await tempProject({ "p.yaml": pipeline });
  const child = p.spawn("run", "p.yaml");
  await waitForFile(join(p.dir, "started"), { child });
  const tree = processTree(child.pid);
  Deno.kill(child.pid, "SIGINT");
  await new Promise((resolve) => setTimeout(resolve, 50));
  Deno.kill(child.pid, "SIGINT");
  const result = await finish(child);
  assert.equal(result.code, 130, result.stdout + result.stderr);
  assert.match(result.stdout, /stubborn: 0 ran, 0 cached, 0 failed, 1 skipped, 1 interrupted/);
  assert.ok(tree.length >= 3, "the runner, the stage's bash and its sleep");
  assert.deepEqual(tree.slice(1).filter(isAlive), [], "nothing the stage started survives");
  const db = p.journal();
  try {
    const [run] = db.listRuns();
    assert.equal(run!.state, "interrupted");
  } finally {
    db.close();
  }
});
