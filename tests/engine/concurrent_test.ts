import assert from "node:assert/strict";
import { join } from "node:path";
import { finish, fixture, tempProject } from "./_project.ts";

function counts(stdout: string): { ran: number; cached: number } {
  const match = /concurrent: (\d+) ran, (\d+) cached, 0 failed, 0 skipped/.exec(stdout);
  assert.ok(match, stdout);
  return { ran: Number(match[1]), cached: Number(match[2]) };
}

Deno.test("run: two runs on one cache never execute a key twice and both succeed", async () => {
  await using p = await tempProject({ "p.yaml": await fixture("concurrent.yaml") });
  const [a, b] = await Promise.all([
    finish(p.spawn("run", "p.yaml", "--jobs", "2")),
    finish(p.spawn("run", "p.yaml", "--jobs", "2")),
  ]);
  assert.equal(a!.code, 0, a!.stdout + a!.stderr);
  assert.equal(b!.code, 0, b!.stdout + b!.stderr);
  const executed = await p.lines("runs.log");
  assert.equal(executed.length, 7, executed.join("\n"));
  assert.equal(new Set(executed).size, 7);
  const [ca, cb] = [counts(a!.stdout), counts(b!.stdout)];
  assert.equal(ca.ran + cb.ran, 7);
  assert.equal(ca.ran + ca.cached, 7);
  assert.equal(cb.ran + cb.cached, 7);
  const all = await Deno.readTextFile(join(p.dir, "runs.log"));
  assert.ok(all.includes("total"));
  const third = await p.run("run", "p.yaml");
  assert.deepEqual(counts(third.stdout), { ran: 0, cached: 7 });
});

Deno.test("run: two runs that find the same corrupted objects recompute each once", async () => {
  await using p = await tempProject({ "p.yaml": await fixture("concurrent.yaml") });
  assert.equal((await p.run("run", "p.yaml", "--jobs", "2")).code, 0);
  const db = p.journal();
  const [run] = db.listRuns();
  const outs = db.listStages(run!.id).filter((s) => s.id.startsWith("work")).map((s) => s.outPath!);
  db.close();
  for (const outPath of outs) {
    await Deno.chmod(join(outPath, "i.txt"), 0o644);
    await Deno.writeTextFile(join(outPath, "i.txt"), "damaged\n");
  }
  const [a, b] = await Promise.all([
    finish(p.spawn("run", "p.yaml", "--jobs", "2")),
    finish(p.spawn("run", "p.yaml", "--jobs", "2")),
  ]);
  assert.equal(a!.code, 0, a!.stdout + a!.stderr);
  assert.equal(b!.code, 0, b!.stdout + b!.stderr);
  const executed = (await p.lines("runs.log")).slice(7);
  assert.equal(executed.length, 6, executed.join("\n"));
  assert.equal(new Set(executed).size, 6, "no key executed twice");
  const notes = `${a!.stdout}${b!.stdout}`.match(/is corrupted \(file "i\.txt" changed size/g);
  assert.equal(notes?.length, 6, `each damaged object reported once:\n${a!.stdout}\n${b!.stdout}`);
  for (const outPath of outs) {
    assert.match(await Deno.readTextFile(join(outPath, "i.txt")), /^\d\n$/);
  }
});

Deno.test("run: expansions that share a key (an axis the stage ignores) wait for each other, saying so", async () => {
  await using p = await tempProject({
    "p.yaml": `name: twins
stages:
  same:
    task: shell
    matrix:
      unused: [1, 2]
    with:
      run: echo same >> runs.log; sleep 0.5; echo 1 > "$OUT/x"
`,
  });
  const result = await p.run("run", "p.yaml", "--jobs", "2");
  assert.equal(result.code, 0, result.stderr);
  assert.deepEqual(await p.lines("runs.log"), ["same"], "the key executed once");
  assert.match(result.stdout, /waits: another stage of this run has the same key and computes it/);
  assert.doesNotMatch(result.stdout, /computed by run/);
});
