/**
 * `shell`: runs `with.run` under bash with `OUT` set to the staging output
 * directory. Runs inline (bash is already a child process), so a trivial stage
 * costs a process start of bash, not of a Deno runtime.
 */
import { z } from "zod";
import { defineTask, TaskError } from "@dropline/task";
import { killTree } from "./_kill_tree.ts";

const ShellParams = z.strictObject({
  run: z.string().min(1).describe("the bash script to run"),
  outputs: z.array(z.string().min(1)).default([]).describe("files the stage must produce"),
  inputs: z.array(z.string().min(1)).default([]).describe(
    "local files whose content is part of the key",
  ),
  env: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).default({})
    .describe("extra environment variables"),
});

export default defineTask({
  name: "shell",
  version: 1,
  description: "Runs a bash script with OUT set to the stage's output directory",
  module: import.meta.url,
  schema: ShellParams,
  isolation: "inline",
  checkpoints: false,
  outputs: (params) => params.outputs,
  inputFiles: (params) => params.inputs,
  async run(ctx) {
    // Two handles: a stream can be the target of one pipe at a time.
    const stdoutLog = Deno.openSync(ctx.logPath, { append: true, create: true });
    const stderrLog = Deno.openSync(ctx.logPath, { append: true, create: true });
    try {
      const env: Record<string, string> = { OUT: ctx.outDir };
      for (const [name, value] of Object.entries(ctx.params.env)) env[name] = String(value);
      const child = new Deno.Command("bash", {
        args: ["-eo", "pipefail", "-c", ctx.params.run],
        env,
        cwd: ctx.workDir ?? Deno.cwd(),
        stdin: "null",
        stdout: "piped",
        stderr: "piped",
      }).spawn();
      // Stop the programs the script started too, not just bash.
      const onAbort = () => killTree(child.pid, "SIGTERM");
      ctx.signal.addEventListener("abort", onAbort, { once: true });
      const [status] = await Promise.all([
        child.status,
        appendAsItComes(child.stdout, stdoutLog),
        appendAsItComes(child.stderr, stderrLog),
      ]);
      ctx.signal.removeEventListener("abort", onAbort);
      // A Ctrl-C in a terminal signals the whole process group: the script may
      // die of it before the runner's own handler aborts. Give that a moment,
      // so the stage is recorded as interrupted, not failed.
      if (diedOfInterrupt(status)) await abortedWithin(ctx.signal, 2_000);
      if (ctx.signal.aborted) throw new TaskError("Interrupted");
      if (!status.success) {
        throw new TaskError(`Command exited with code ${status.code}${tail(ctx.logPath)}`);
      }
    } finally {
      stdoutLog.close();
      stderrLog.close();
    }
  },
});

function diedOfInterrupt(status: Deno.CommandStatus): boolean {
  return status.signal === "SIGINT" || status.signal === "SIGTERM" ||
    status.code === 130 || status.code === 143;
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

/** Writes each chunk when it arrives, so the log can be tailed live. */
async function appendAsItComes(
  stream: ReadableStream<Uint8Array>,
  file: Deno.FsFile,
): Promise<void> {
  for await (const chunk of stream) {
    for (let done = 0; done < chunk.length;) done += file.writeSync(chunk.subarray(done));
  }
}

/** The last lines of the log, so a failure message says what went wrong. */
function tail(path: string): string {
  try {
    const lines = Deno.readTextFileSync(path).trimEnd().split("\n").slice(-5);
    return lines.length && lines[0] !== "" ? `:\n  ${lines.join("\n  ")}` : "";
  } catch {
    return "";
  }
}
