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
    // The signal is sent before the promise rejects; under load the kernel may
    // take a moment to end the process, so look for up to two seconds.
    const stopped = async () => {
      const stat = await Deno.readTextFile(`/proc/${sleeper}/stat`).catch(() => "gone");
      return stat === "gone" || stat.slice(stat.lastIndexOf(")") + 2)[0] === "Z";
    };
    const deadline = performance.now() + 2_000;
    while (!(await stopped()) && performance.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    assert.ok(await stopped(), "sleep was stopped");
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

Deno.test("shell runs a script far larger than one argument may be, from a file beside the log", async () => {
  const words = Array.from({ length: 20_000 }, (_, i) => `'/some/long/path/number/${i}'`);
  const run = `a=(${words.join(" ")}); echo \${#a[@]} > "$OUT/n"`;
  assert.ok(run.length > 256 * 1024);
  const { t, error } = await runShell({ run });
  try {
    assert.equal(error, undefined);
    assert.equal(await Deno.readTextFile(join(t.outDir, "n")), "20000\n");
    const script = await Deno.readTextFile(t.ctx.logPath.replace(/\.log$/, ".sh"));
    assert.ok(script.startsWith(`export OUT=${t.outDir}; `) && script.endsWith(run));
  } finally {
    await t.cleanup();
  }
});

Deno.test("shell makes a list in env a bash array, one element per item", async () => {
  const { t, error } = await runShell({
    run: 'printf "<%s>" "${DIRS[@]}" "$ONE" > "$OUT/x"\necho "line 2 fails" >&2; exit 3',
    env: { DIRS: ["/a b", "it's", "$(touch pwned)"], ONE: "x y" },
  });
  try {
    assert.ok(error instanceof TaskError);
    assert.match(error.message, /^Command exited with code 3:\n {2}line 2 fails$/);
    assert.equal(await Deno.readTextFile(join(t.outDir, "x")), "</a b><it's><$(touch pwned)><x y>");
    assert.equal(shell.schema.safeParse({ run: "true", env: { "A-B": "x" } }).success, false);
  } finally {
    await t.cleanup();
  }
});

Deno.test("shell keeps the command's own error when the log cannot be written (full disk)", async () => {
  const t = await makeTestContext(
    shell.schema.parse({ run: 'echo "the command failed: no space left" >&2; exit 3' }),
  );
  const facts: Record<string, unknown>[] = [];
  t.ctx.record = (f) => facts.push(f);
  try {
    // Writes to /dev/full fail as on a full disk.
    await Deno.symlink("/dev/full", t.ctx.logPath);
    await assert.rejects(
      () => shell.run(t.ctx),
      (error: Error) =>
        error instanceof TaskError &&
        error.message === "Command exited with code 3:\n  the command failed: no space left\n" +
            "(the log could not be written: No space left on device (os error 28))",
    );
    (t.ctx.params as { run: string }).run = "echo fine";
    await shell.run(t.ctx);
    assert.deepEqual(facts, [{ log_error: "No space left on device (os error 28)" }]);
  } finally {
    await t.cleanup();
  }
});

Deno.test("shell's error messages give the script's own line numbers", async () => {
  const { t, error } = await runShell({ run: "echo fine\nfrobnicate --now\necho never" });
  await t.cleanup();
  assert.ok(error instanceof TaskError);
  assert.match(error.message, /with\.run: line 2: frobnicate: command not found/);
  assert.doesNotMatch(error.message, /never/);
});
