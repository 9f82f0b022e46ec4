/**
 * `shell`: runs `with.run` under bash with `OUT` set to the staging output
 * directory. Runs inline (bash is already a child process), so a trivial stage
 * costs a fork of a long-lived bash (see `_bash_pool.ts`), not a process start. The engine quotes the
 * values interpolated into `run` (see `shellScripts`).
 */
import { z } from "zod";
import { defineTask, shellWord, TaskError } from "@dropline/task";
import { type BashJob, type BashOutcome, closeBashPool, runOnWorker } from "./_bash_pool.ts";

/** Scripts up to this many UTF-16 units go down the pipe (about 2 ms of bash reading at most). */
const INLINE_SCRIPT_MAX = 8 * 1024;

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const Scalar = z.union([z.string(), z.number(), z.boolean()]);

const ShellParams = z.strictObject({
  run: z.string().min(1).describe("the bash script to run"),
  outputs: z.array(z.string().min(1)).default([]).describe("files the stage must produce"),
  inputs: z.array(z.string().min(1)).default([]).describe(
    "local files whose content is part of the key",
  ),
  env: z.record(
    z.string().regex(ENV_NAME, "Expected a variable name: letters, digits and _"),
    z.union([Scalar, z.array(Scalar)]),
  ).default({}).describe("extra environment variables; a list becomes a bash array"),
});

export default defineTask({
  name: "shell",
  // 2: values are quoted for bash where they are interpolated.
  version: 2,
  description: "Runs a bash script with OUT set to the stage's output directory",
  module: import.meta.url,
  schema: ShellParams,
  isolation: "inline",
  shellScripts: ["run"],
  checkpoints: false,
  outputs: (params) => params.outputs,
  inputFiles: (params) => params.inputs,
  async run(ctx) {
    // The environment and the env arrays are set on the script's first line
    // (arrays cannot be exported), keeping the script's line numbers.
    const assignments = [`export OUT=${shellWord(ctx.outDir)}`];
    for (const [name, value] of Object.entries(ctx.params.env)) {
      assignments.push(
        Array.isArray(value)
          ? `declare -a ${name}=(${value.map((v) => shellWord(String(v))).join(" ")})`
          : `export ${name}=${shellWord(String(value))}`,
      );
    }
    const text = `${assignments.join("; ")}; ${ctx.params.run}`;
    const status = await runOnWorker(
      {
        script: scriptSource(text, ctx.logPath),
        cwd: ctx.workDir ?? Deno.cwd(),
        logPath: ctx.logPath,
      },
      ctx.signal,
    );
    // A Ctrl-C in a terminal signals the whole process group: the script may
    // die of it before the runner's own handler aborts. Give that a moment,
    // so the stage is recorded as interrupted, not failed.
    if (diedOfInterrupt(status)) await abortedWithin(ctx.signal, 2_000);
    if (ctx.signal.aborted) throw new TaskError("Interrupted");
    const logProblem = status.logFailure
      ? `\n(the log could not be written: ${status.logFailure})`
      : "";
    if (!status.success) {
      throw new TaskError(`Command exited with code ${status.code}${status.tail}${logProblem}`);
    }
    if (status.logFailure) ctx.record?.({ log_error: status.logFailure });
  },
  dispose: closeBashPool,
});

/**
 * How the script reaches bash: never as one argv string (Linux caps one at
 * 128 KiB, and a 10,000-way fan-in is bigger). A small script goes down the
 * server's pipe; a large one through a file beside the log, since bash reads
 * a pipe a byte at a time.
 */
function scriptSource(text: string, logPath: string): BashJob["script"] {
  if (text.length <= INLINE_SCRIPT_MAX) return { text, name: "with.run" };
  const file = logPath.replace(/(\.log)?$/, ".sh");
  Deno.writeTextFileSync(file, text);
  return { file };
}

function diedOfInterrupt(status: BashOutcome): boolean {
  return status.code === 130 || status.code === 143;
}

/** Resolves when `signal` aborts, or after `ms`. */
function abortedWithin(signal: AbortSignal, ms: number): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
  });
}
