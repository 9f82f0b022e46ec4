/**
 * Runs one attempt of a task, in the scheduler's process (`inline`) or in a
 * child task host (`process`).
 */
import { fileUrlPath } from "../util/posix_path.ts";
import type { Task } from "@dropline/task";
import { createTaskContext, type TaskEventSink, type TaskJob } from "./task_context.ts";
import { describeFailure } from "./attempt_failure.ts";
import { EVENT_PREFIX, type HostEvent } from "./host_protocol.ts";

/** How an attempt ended. */
export type AttemptResult =
  | { ok: true }
  | { ok: false; interrupted: boolean; message: string };

const HOST = fileUrlPath(new URL("./task_host.ts", import.meta.url));
const CONFIG = fileUrlPath(new URL("../../../deno.json", import.meta.url));

/**
 * Runs `task` for `job`, forwarding progress and metrics to `sink`.
 *
 * @example
 * ```ts
 * const result = await runAttempt(task, job, sink, signal);
 * if (!result.ok) console.error(result.message);
 * ```
 */
export function runAttempt(
  task: Task,
  job: TaskJob,
  sink: TaskEventSink,
  signal: AbortSignal,
): Promise<AttemptResult> {
  return (task.isolation ?? "process") === "inline"
    ? runInline(task, job, sink, signal)
    : runInChild(job, sink, signal, task.hostFlags ?? []);
}

async function runInline(
  task: Task,
  job: TaskJob,
  sink: TaskEventSink,
  signal: AbortSignal,
): Promise<AttemptResult> {
  try {
    await task.run(createTaskContext(job, sink, signal));
    return signal.aborted ? { ok: false, interrupted: true, message: "Interrupted" } : { ok: true };
  } catch (error) {
    if (signal.aborted) return { ok: false, interrupted: true, message: "Interrupted" };
    const { message, logText } = describeFailure(error);
    // Best effort: on a full disk the log cannot take it, and the failure's
    // own message must not be lost to that.
    if (logText) {
      await Deno.writeTextFile(job.logPath, `${logText}\n`, { append: true }).catch(() => {});
    }
    return { ok: false, interrupted: false, message };
  }
}

async function runInChild(
  job: TaskJob,
  sink: TaskEventSink,
  signal: AbortSignal,
  flags: readonly string[],
): Promise<AttemptResult> {
  const stderrLog = await Deno.open(job.logPath, { append: true, create: true });
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--quiet", "--no-prompt", ...flags, "--config", CONFIG, HOST],
    cwd: job.cwd,
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const onAbort = () => {
    try {
      child.kill("SIGTERM");
    } catch {
      // Already exited.
    }
  };
  signal.addEventListener("abort", onAbort, { once: true });
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(JSON.stringify(job)));
  await writer.close();
  let failure: string | undefined;
  const [status] = await Promise.all([
    child.status,
    readEvents(child.stdout, job.logPath, sink, (message) => failure = message),
    child.stderr.pipeTo(stderrLog.writable),
  ]);
  signal.removeEventListener("abort", onAbort);
  if (status.success) return { ok: true };
  if (signal.aborted || status.code === 130) {
    return { ok: false, interrupted: true, message: "Interrupted" };
  }
  const died = status.signal ? `was killed by ${status.signal}` : `exited with code ${status.code}`;
  return {
    ok: false,
    interrupted: false,
    message: failure ?? `Task process ${died} (out of memory or a crash?)`,
  };
}

async function readEvents(
  stdout: ReadableStream<Uint8Array>,
  logPath: string,
  sink: TaskEventSink,
  onError: (message: string) => void,
): Promise<void> {
  let buffer = "";
  const handle = (line: string) => {
    if (!line.startsWith(EVENT_PREFIX)) {
      Deno.writeTextFileSync(logPath, line + "\n", { append: true });
      return;
    }
    const event = JSON.parse(line.slice(EVENT_PREFIX.length)) as HostEvent;
    if (event.type === "progress") sink.progress(event.progress);
    else if (event.type === "metric") sink.metric(event.record);
    else if (event.type === "facts") sink.facts(event.facts);
    else onError(event.message);
  };
  for await (const chunk of stdout.pipeThrough(new TextDecoderStream())) {
    buffer += chunk;
    const lines = buffer.split("\n");
    buffer = lines.pop()!;
    lines.forEach(handle);
  }
  if (buffer) handle(buffer);
}
