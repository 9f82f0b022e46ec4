import assert from "node:assert/strict";
import { join } from "node:path";
import { fixture, tempProject } from "./_project.ts";

const ALL = ["make", "double", "sweep[seed=0]", "sweep[seed=1]", "gather"];

async function counting() {
  return await tempProject({ "p.yaml": await fixture("counting.yaml") });
}

/** The summary line's counts. */
function summary(stdout: string): string {
  const match = /counting: (\d+ ran, \d+ cached, \d+ failed, \d+ skipped)/.exec(stdout);
  assert.ok(match, `no summary in:\n${stdout}`);
  return match[1]!;
}

Deno.test("run: a second run is entirely cached and executes nothing", async () => {
  await using p = await counting();
  const first = await p.run("run", "p.yaml");
  assert.equal(first.code, 0, first.stderr);
  assert.equal(summary(first.stdout), "5 ran, 0 cached, 0 failed, 0 skipped");
  assert.deepEqual((await p.lines("runs.log")).sort(), [...ALL].sort());
  const second = await p.run("run", "p.yaml");
  assert.equal(second.code, 0, second.stderr);
  assert.equal(summary(second.stdout), "0 ran, 5 cached, 0 failed, 0 skipped");
  assert.equal((await p.lines("runs.log")).length, 5, "no stage executed again");
});

Deno.test("run: changing one param re-runs exactly the stages it affects", async () => {
  await using p = await counting();
  assert.equal((await p.run("run", "p.yaml")).code, 0);
  const factor = await p.run("run", "p.yaml", "--set", "params.factor=3");
  assert.equal(factor.code, 0, factor.stderr);
  assert.deepEqual((await p.lines("runs.log")).slice(5), ["double"]);
  const n = await p.run("run", "p.yaml", "--set", "params.n=5");
  assert.equal(n.code, 0, n.stderr);
  // sweep needs make (its output digest is in sweep's key); gather reads only
  // sweep, whose bytes did not change.
  assert.deepEqual((await p.lines("runs.log")).slice(6).sort(), [
    "double",
    "make",
    "sweep[seed=0]",
    "sweep[seed=1]",
  ]);
  assert.equal(summary(n.stdout), "4 ran, 1 cached, 0 failed, 0 skipped");
});

Deno.test("run: an upstream that re-runs to identical bytes leaves its consumers cached", async () => {
  await using p = await counting();
  assert.equal((await p.run("run", "p.yaml")).code, 0);
  const result = await p.run("run", "p.yaml", "--set", "params.comment=second");
  assert.equal(result.code, 0, result.stderr);
  assert.deepEqual((await p.lines("runs.log")).slice(5), ["make"]);
  assert.equal(summary(result.stdout), "1 ran, 4 cached, 0 failed, 0 skipped");
});

Deno.test("run: --force re-runs the named stage, --only runs a stage and its ancestors", async () => {
  await using p = await counting();
  const only = await p.run("run", "p.yaml", "--only", "double");
  assert.equal(only.code, 0, only.stderr);
  assert.deepEqual(await p.lines("runs.log"), ["make", "double"]);
  const forced = await p.run("run", "p.yaml", "--force", "sweep");
  assert.equal(forced.code, 0, forced.stderr);
  assert.deepEqual((await p.lines("runs.log")).slice(2).sort(), [
    "gather",
    "sweep[seed=0]",
    "sweep[seed=1]",
  ]);
  const again = await p.run("run", "p.yaml", "--force", "sweep[seed=1]");
  assert.equal(again.code, 0, again.stderr);
  assert.deepEqual((await p.lines("runs.log")).slice(5), ["sweep[seed=1]"], "gather: same bytes");
  const unknown = await p.run("run", "p.yaml", "--force", "sweeep");
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /--force: unknown stage "sweeep" \(did you mean "sweep"\?\)/);
});

Deno.test("run --dry-run executes nothing and writes nothing", async () => {
  await using p = await counting();
  const cold = await p.run("run", "p.yaml", "--dry-run");
  assert.equal(cold.code, 0, cold.stderr);
  assert.match(cold.stdout, /would run\s+make: no result for this key \(the stage never ran\)/);
  assert.match(
    cold.stdout,
    /would run\s+gather: waits for upstream "sweep\[seed=0\]", "sweep\[seed=1\]"/,
  );
  assert.match(cold.stdout, /counting: 5 would run, 0 cached \(dry run: nothing executed\)/);
  await assert.rejects(() => Deno.stat(p.cache), Deno.errors.NotFound);
  assert.deepEqual(await p.lines("runs.log"), []);
  assert.equal((await p.run("run", "p.yaml")).code, 0);
  const warm = await p.run("run", "p.yaml", "--dry-run", "--set", "params.n=5");
  assert.equal(warm.code, 0, warm.stderr);
  assert.match(warm.stdout, /would run\s+make: param "n" changed from 3 to 5/);
  assert.match(warm.stdout, /would run\s+sweep\[seed=0\]: waits for upstream "make" to run/);
  assert.equal((await p.lines("runs.log")).length, 5);
});

/** The published output directory of `stage` in the latest run. */
function outPath(p: Awaited<ReturnType<typeof counting>>, stage: string): string {
  const db = p.journal();
  try {
    const runs = db.listRuns({ noop: true });
    const out = runs.map((run) => db.getStage(run.id, stage)?.outPath).find((path) => path);
    assert.ok(out, `no output recorded for "${stage}"`);
    return out;
  } finally {
    db.close();
  }
}

Deno.test("run: a corrupted object is detected, reported and recomputed", async () => {
  await using p = await counting();
  assert.equal((await p.run("run", "p.yaml")).code, 0);
  const file = join(outPath(p, "make"), "n.txt");
  await Deno.chmod(file, 0o644);
  await Deno.writeTextFile(file, "4\n");
  const status = await p.run("status", "p.yaml", "--json");
  const make = JSON.parse(status.stdout).stages[0];
  assert.deepEqual([make.id, make.state], ["make", "pending"]);
  assert.equal(make.reason, 'stored result is corrupted (file "n.txt" content changed)');
  const result = await p.run("run", "p.yaml");
  assert.equal(result.code, 0, result.stderr);
  assert.match(
    result.stdout,
    /Stored result of "make" is corrupted \(file "n\.txt" content changed\); moved to .*corrupt.* and recomputing/,
  );
  assert.deepEqual((await p.lines("runs.log")).slice(5), ["make"], "consumers stay cached");
  assert.equal(await Deno.readTextFile(file), "3\n");
  const doubled = await Deno.readTextFile(join(outPath(p, "double"), "d.txt"));
  assert.equal(doubled, "6\n");
});

Deno.test("run: an object without its manifest is recomputed, never used", async () => {
  await using p = await counting();
  assert.equal((await p.run("run", "p.yaml")).code, 0);
  await Deno.remove(join(outPath(p, "double"), "..", "manifest.json"));
  const result = await p.run("run", "p.yaml");
  assert.equal(result.code, 0, result.stderr);
  assert.match(
    result.stdout,
    /Stored result of "double" is corrupted \(manifest\.json is missing\)/,
  );
  assert.deepEqual((await p.lines("runs.log")).slice(5), ["double"]);
});
