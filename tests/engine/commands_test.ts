import assert from "node:assert/strict";
import { hostname } from "node:os";
import { join } from "node:path";
import { CacheLayout } from "@dropline/engine";
import { finish, fixture, MAIN, tempProject, waitForFile } from "./_project.ts";

async function counting() {
  return await tempProject({ "p.yaml": await fixture("counting.yaml") });
}

interface StatusJson {
  stages: { id: string; key: string | null; state: string; reason: string; job: unknown }[];
}

Deno.test("status --json lists every stage with id, key, state, reason and job", async () => {
  await using p = await counting();
  const cold = await p.run("status", "p.yaml", "--json");
  assert.equal(cold.code, 0, cold.stderr);
  const before = JSON.parse(cold.stdout) as StatusJson;
  assert.deepEqual(Object.keys(before), ["stages"]);
  assert.deepEqual(
    before.stages.map((s) => Object.keys(s)),
    before.stages.map(() => ["id", "key", "state", "reason", "job"]),
  );
  assert.ok(before.stages.every((s) => s.job === null), "nothing executed yet");
  assert.deepEqual(before.stages.map((s) => [s.id, s.state]), [
    ["make", "pending"],
    ["double", "pending"],
    ["sweep[seed=0]", "pending"],
    ["sweep[seed=1]", "pending"],
    ["gather", "pending"],
  ]);
  assert.match(before.stages[0]!.key!, /^[0-9a-f]{64}$/);
  assert.equal(before.stages[1]!.key, null, "unknown until make's output exists");
  await assert.rejects(() => Deno.stat(p.cache), Deno.errors.NotFound, "status writes nothing");

  const ran = await p.run("run", "p.yaml");
  assert.equal(ran.code, 0);
  const runId = /\(run (\S+)\)/.exec(ran.stdout)?.[1];
  const warm = JSON.parse((await p.run("status", "p.yaml", "--json")).stdout) as StatusJson;
  assert.ok(
    warm.stages.every((s) => s.state === "cached" && s.reason === "result for this key is stored"),
  );
  // Where each result was produced: this run, on this host, without a batch job.
  assert.deepEqual(
    warm.stages.map((s) => s.job),
    warm.stages.map(() => ({
      executor: "local",
      id: null,
      node: hostname(),
      state: null,
      reason: null,
      run: runId,
    })),
  );
  assert.equal(warm.stages[0]!.key, before.stages[0]!.key);
  const text = await p.run("status", "p.yaml");
  assert.match(text.stdout, /^cached\s+make\s+[0-9a-f]{12} result for this key is stored$/m);
  assert.match(text.stdout, /^5 cached$/m);
});

Deno.test("why names the param that changed and its old and new values", async () => {
  await using p = await counting();
  const never = await p.run("why", "p.yaml", "make");
  assert.equal(never.stdout, "make: would run: no result for this key (the stage never ran)\n");
  assert.equal((await p.run("run", "p.yaml")).code, 0);
  const changed = await p.run("why", "p.yaml", "make", "--set", "params.n=5");
  assert.equal(changed.code, 0, changed.stderr);
  assert.equal(changed.stdout, 'make: would run: param "n" changed from 3 to 5\n');
  const cached = await p.run("why", "p.yaml", "sweep");
  assert.equal(
    cached.stdout,
    "sweep[seed=0]: cached: result for this key is stored\nsweep[seed=1]: cached: result for this key is stored\n",
  );
  assert.equal((await p.run("run", "p.yaml", "--only", "make", "--set", "params.n=5")).code, 0);
  const upstream = await p.run("why", "p.yaml", "double", "--set", "params.n=5");
  assert.equal(upstream.stdout, 'double: would run: upstream "make" changed\n');
  const forced = await p.run("why", "p.yaml", "double", "--force", "double");
  assert.equal(forced.stdout, "double: would run: forced (--force)\n");
  const text = (await Deno.readTextFile(join(p.dir, "p.yaml"))).replace(
    "* ${{ params.factor }}",
    "* 3",
  );
  await Deno.writeTextFile(join(p.dir, "p.yaml"), text);
  const edited = await p.run("why", "p.yaml", "double");
  assert.match(edited.stdout, /^double: would run: param "factor" removed \(was 2\)$/m);
});

Deno.test("dag prints text, Mermaid and Graphviz dot with matrix groups", async () => {
  await using p = await counting();
  const text = await p.run("dag", "p.yaml");
  assert.equal(
    text.stdout,
    "make\ndouble <- make\nsweep[seed=0] <- make\nsweep[seed=1] <- make\ngather <- sweep[seed=0], sweep[seed=1]\n",
  );
  const mermaid = (await p.run("dag", "p.yaml", "--format", "mermaid")).stdout;
  assert.ok(mermaid.startsWith("flowchart TD\n"));
  assert.match(
    mermaid,
    /subgraph "sweep"\n\s+n2\["sweep\[seed=0\]"\]\n\s+n3\["sweep\[seed=1\]"\]\n\s+end/,
  );
  for (const edge of ["n0 --> n1", "n0 --> n2", "n0 --> n3", "n2 --> n4", "n3 --> n4"]) {
    assert.ok(mermaid.includes(`  ${edge}\n`), edge);
  }
  const dot = (await p.run("dag", "p.yaml", "-f", "dot")).stdout;
  assert.ok(dot.startsWith('digraph "counting" {\n'));
  assert.match(dot, /subgraph "cluster_sweep" \{\n\s+label="sweep";/);
  assert.ok(dot.includes('n2 [label="sweep[seed=0]"];'));
  assert.ok(dot.includes("  n3 -> n4;\n"));
  assert.ok(dot.trimEnd().endsWith("}"));
});

/** Every object key in the store. */
async function objectKeys(cache: string): Promise<string[]> {
  const keys: string[] = [];
  const objects = new CacheLayout(cache).dir("objects");
  for await (const prefix of Deno.readDir(objects)) {
    for await (const entry of Deno.readDir(join(objects, prefix.name))) {
      keys.push(entry.name);
    }
  }
  return keys.sort();
}

Deno.test("gc deletes objects no latest run references and reports the bytes", async () => {
  await using p = await counting();
  assert.equal((await p.run("run", "p.yaml")).code, 0);
  const first = await objectKeys(p.cache);
  assert.equal(first.length, 5);
  const nothing = await p.run("gc");
  assert.match(nothing.stdout, /gc: freed 0 B in 0 object\(s\)/);
  assert.equal((await p.run("run", "p.yaml", "--set", "params.n=5")).code, 0);
  assert.equal((await objectKeys(p.cache)).length, 9, "make, double and the sweep changed");
  const dry = await p.run("gc", "--dry-run");
  assert.match(dry.stdout, /gc: would free \d+(\.\d)? (B|KiB) in 4 object\(s\)/);
  assert.equal((await objectKeys(p.cache)).length, 9);
  const gc = await p.run("gc");
  assert.equal(gc.code, 0, gc.stderr);
  const bytes = /gc: freed (\d+(?:\.\d)?) (B|KiB) in 4 object\(s\)/.exec(gc.stdout);
  assert.ok(bytes, gc.stdout);
  assert.ok(Number(bytes[1]) > 0);
  const kept = await objectKeys(p.cache);
  assert.equal(kept.length, 5);
  const again = await p.run("run", "p.yaml", "--set", "params.n=5");
  assert.match(again.stdout, /counting: 0 ran, 5 cached/);
});

Deno.test("gc keeps results a later partial run (--only) did not touch", async () => {
  await using p = await counting();
  assert.equal((await p.run("run", "p.yaml")).code, 0);
  assert.equal((await p.run("run", "p.yaml", "--only", "make")).code, 0);
  const gc = await p.run("gc");
  assert.match(gc.stdout, /gc: freed 0 B in 0 object\(s\)/);
  const again = await p.run("run", "p.yaml");
  assert.match(again.stdout, /counting: 0 ran, 5 cached/);
});

Deno.test("gc without a journal deletes nothing", async () => {
  await using p = await counting();
  const gc = await p.run("gc");
  assert.equal(gc.code, 0);
  assert.match(gc.stdout, /gc: no run journal in .*; nothing deleted/);
});

Deno.test("exp and diff: the command they suggest keeps --cache-dir and the --set flags", async () => {
  await using p = await counting();
  // Not the default `./cache` of the project, and in need of quotes.
  const cache = join(p.dir, "other cache");
  const cli = async (...args: string[]) => {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "--quiet", MAIN, ...args, "--cache-dir", cache],
      cwd: p.dir,
      env: { NO_COLOR: "1" },
      stdin: "null",
    }).output();
    return { code: out.code, stderr: new TextDecoder().decode(out.stderr) };
  };
  for (const command of ["exp", "diff"]) {
    const none = await cli(command, "p.yaml");
    assert.equal(none.code, 2, none.stderr);
    assert.ok(
      none.stderr.includes(
        `No run of pipeline "counting" yet: deno task run p.yaml --cache-dir '${cache}'\n`,
      ),
      none.stderr,
    );
  }
  assert.equal((await cli("run", "p.yaml")).code, 0);
  const other = await cli("exp", "p.yaml", "--set", "params.n=5", "--all");
  assert.equal(other.code, 2, other.stderr);
  assert.ok(
    other.stderr.includes(`run it: deno task run p.yaml --set params.n=5 --cache-dir '${cache}'\n`),
    other.stderr,
  );
});

Deno.test("gc during a live run counts as kept only the objects already stored", async () => {
  await using p = await tempProject({
    "p.yaml": `name: live
stages:
  first:
    task: shell
    with: {run: 'echo 1 > "$OUT/a.txt"'}
  gate:
    task: shell
    needs: [first]
    with:
      run: |
        touch started
        while [ ! -e go ]; do sleep 0.02; done
  after:
    task: shell
    needs: [gate]
    matrix: {i: [0, 1]}
    with: {run: 'echo \${{ matrix.i }} > "$OUT/i.txt"'}
`,
  });
  const run = p.spawn("run", "p.yaml");
  await waitForFile(join(p.dir, "started"), { child: run });
  const during = await p.run("gc", "--dry-run");
  await Deno.writeTextFile(join(p.dir, "go"), "");
  const ran = await finish(run);
  assert.equal(ran.code, 0, ran.stderr);
  assert.match(
    during.stdout,
    /in 0 object\(s\) and 0 abandoned staging dir\(s\); kept 1 referenced$/m,
  );
  const after = await p.run("gc", "--dry-run");
  assert.match(after.stdout, /kept 4 referenced$/m);
});
