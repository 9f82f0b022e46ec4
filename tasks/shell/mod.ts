/**
 * `shell`: runs `with.run` under bash with `OUT` set to the staging output
 * directory. Runs inline (bash is already a child process), so a trivial stage
 * costs a process start of bash, not of a Deno runtime. The engine quotes the
 * values interpolated into `run` (see `shellScripts`).
 */
import { z } from "zod";
import { defineTask, shellWord, TaskError } from "@dropline/task";
import { killTree } from "./_kill_tree.ts";
import { LogSink } from "./_log_sink.ts";

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
    const env: Record<string, string> = { OUT: ctx.outDir };
    const arrays: string[] = [];
    for (const [name, value] of Object.entries(ctx.params.env)) {
      if (Array.isArray(value)) {
        arrays.push(`declare -a ${name}=(${value.map((v) => shellWord(String(v))).join(" ")})`);
      } else env[name] = String(value);
    }
    // The script goes through a file, never one argv string (Linux caps one at
    // 128 KiB: a 10,000-way fan-in is bigger). Arrays cannot be exported, so
    // they are declared on the script's first line, keeping its line numbers.
    const script = ctx.logPath.replace(/(\.log)?$/, ".sh");
    Deno.writeTextFileSync(
      script,
      arrays.length > 0 ? `${arrays.join("; ")}; ${ctx.params.run}` : ctx.params.run,
    );
    const log = new LogSink(ctx.logPath);
    try {
      const child = new Deno.Command("bash", {
        args: ["-eo", "pipefail", script],
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
        log.drain(child.stdout),
        log.drain(child.stderr),
      ]);
      ctx.signal.removeEventListener("abort", onAbort);
      // A Ctrl-C in a terminal signals the whole process group: the script may
      // die of it before the runner's own handler aborts. Give that a moment,
      // so the stage is recorded as interrupted, not failed.
      if (diedOfInterrupt(status)) await abortedWithin(ctx.signal, 2_000);
      if (ctx.signal.aborted) throw new TaskError("Interrupted");
      const logProblem = log.failure ? `\n(the log could not be written: ${log.failure})` : "";
      if (!status.success) {
        throw new TaskError(`Command exited with code ${status.code}${log.tail(5)}${logProblem}`);
      }
      if (log.failure) ctx.record?.({ log_error: log.failure });
    } finally {
      log.close();
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
