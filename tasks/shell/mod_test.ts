import assert from "node:assert/strict";
import { join } from "node:path";
import { TaskError } from "@dropline/task";
import { makeTestContext, type TestContextOptions } from "../../tests/support/test_context.ts";
import shell from "./mod.ts";

async function runShell(withParams: Record<string, unknown>, options: TestContextOptions = {}) {
  const t = await makeTestContext(shell.schema.parse(withParams), options);
  let error: unknown;
  try {
    await shell.run(t.ctx);
  } catch (caught) {
    error = caught;
  }
  const log = await Deno.readTextFile(t.ctx.logPath).catch(() => "");
  return { t, error, log };
}

Deno.test("shell runs bash in the work dir with OUT, env and logs", async () => {
  const workDir = await Deno.makeTempDir();
  const { t, error, log } = await runShell({
    run: 'echo "$GREETING $N" > "$OUT/hi.txt"; pwd; echo oops >&2',
    env: { GREETING: "hello", N: 3 },
  }, { workDir });
  try {
    assert.equal(error, undefined);
    assert.equal(await Deno.readTextFile(join(t.outDir, "hi.txt")), "hello 3\n");
    assert.match(log, new RegExp(`^${await Deno.realPath(workDir)}$`, "m"));
    assert.match(log, /^oops$/m);
  } finally {
    await t.cleanup();
    await Deno.remove(workDir, { recursive: true });
  }
});

Deno.test("shell fails with the exit code and the log's last lines", async () => {
  const { t, error } = await runShell({ run: "echo first; echo 'no such thing' >&2; exit 4" });
  await t.cleanup();
  assert.ok(error instanceof TaskError);
  assert.equal(error.message, "Command exited with code 4:\n  first\n  no such thing");
});

Deno.test("shell stops at the first failing command, pipes included", async () => {
  for (const run of ['false; touch "$OUT/ran"', 'false | true; touch "$OUT/ran"']) {
    const { t, error } = await runShell({ run });
    const ran = await Deno.stat(join(t.outDir, "ran")).then(() => true, () => false);
    await t.cleanup();
    assert.ok(error instanceof TaskError, run);
    assert.equal(ran, false, run);
  }
});

Deno.test("shell stops the script and the programs it started when aborted", async () => {
  const dir = await Deno.makeTempDir();
  const controller = new AbortController();
  const marker = join(dir, "started");
  const t = await makeTestContext(
    shell.schema.parse({ run: `sleep 30 & echo $! > "${marker}.pid"; touch "${marker}"; wait` }),
    { signal: controller.signal },
  );
  try {
    const running = shell.run(t.ctx);
    while (!(await Deno.stat(marker).then(() => true, () => false))) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const sleeper = Number(await Deno.readTextFile(`${marker}.pid`));
    const started = performance.now();
    controller.abort();
    await assert.rejects(running, (error: Error) => error.message === "Interrupted");
    assert.ok(performance.now() - started < 5_000, "promptly, not after the sleep");
    const stat = await Deno.readTextFile(`/proc/${sleeper}/stat`).catch(() => "gone");
    assert.ok(
      stat === "gone" || stat.slice(stat.lastIndexOf(")") + 2)[0] === "Z",
      "sleep was stopped",
    );
  } finally {
    await t.cleanup();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("shell declares its outputs and input files from its params", () => {
  const params = shell.schema.parse({ run: "true", outputs: ["a.txt"], inputs: ["data.csv"] });
  assert.deepEqual(shell.outputs(params), ["a.txt"]);
  assert.deepEqual(shell.inputFiles?.(params), ["data.csv"]);
  assert.equal(shell.schema.safeParse({ run: "" }).success, false);
  assert.equal(shell.schema.safeParse({ run: "true", output: [] }).success, false);
});
