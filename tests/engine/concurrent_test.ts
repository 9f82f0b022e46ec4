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
