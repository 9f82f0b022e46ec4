/**
 * Entry point of a child process running one task attempt, so a crash or an
 * out-of-memory in a task fails that stage alone. Reads a TaskJob as JSON on
 * stdin; writes events as lines starting with RS (\x1e) on stdout; anything
 * else a library prints goes to the log via the parent.
 *
 * Exit codes: 0 done, 1 failed (message in an `error` event), 130 interrupted.
 */
import type { Task } from "@dropline/task";
import { createTaskContext, type TaskJob } from "./task_context.ts";
import { describeFailure } from "./attempt_failure.ts";
import { EVENT_PREFIX, type HostEvent } from "./host_protocol.ts";

function emit(event: HostEvent): void {
  Deno.stdout.writeSync(new TextEncoder().encode(`${EVENT_PREFIX}${JSON.stringify(event)}\n`));
}

async function main(): Promise<number> {
  const job = JSON.parse(await new Response(Deno.stdin.readable).text()) as TaskJob;
  const controller = new AbortController();
  const abort = () => controller.abort();
  Deno.addSignalListener("SIGTERM", abort);
  Deno.addSignalListener("SIGINT", abort);
  try {
    const task = (await import(job.module)).default as Task;
    const ctx = createTaskContext(job, {
      progress: (progress) => emit({ type: "progress", progress }),
      metric: (record) => emit({ type: "metric", record }),
      facts: (facts) => emit({ type: "facts", facts }),
    }, controller.signal);
    await task.run(ctx);
    return controller.signal.aborted ? 130 : 0;
  } catch (error) {
    if (controller.signal.aborted) return 130;
    const { message, expected, logText } = describeFailure(error);
    if (logText) Deno.writeTextFileSync(job.logPath, `${logText}\n`, { append: true });
    emit({ type: "error", message, expected });
    return 1;
  }
}

if (import.meta.main) Deno.exit(await main());
