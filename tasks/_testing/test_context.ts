/** A task context for tests: temporary directories, recorded metrics and progress. */
import type { Progress, Task, TaskContext } from "@dropline/task";

export interface TestRun<P> {
  ctx: TaskContext<P>;
  metrics: ({ step: number } & Record<string, number>)[];
  progress: Progress[];
  /** Lines the task logged (warnings prefixed "warn: "). */
  logs: string[];
  controller: AbortController;
}

/** Validates `input` with the task's schema and builds a context around it. */
export async function testContext<P>(
  task: Task,
  input: unknown,
  dirs: { outDir?: string; checkpointDir?: string } = {},
): Promise<TestRun<P>> {
  const parsed = task.schema.parse(input) as P;
  const root = await Deno.makeTempDir({ prefix: "dropline-task-" });
  const outDir = dirs.outDir ?? `${root}/out`;
  const checkpointDir = dirs.checkpointDir ?? `${root}/checkpoint`;
  await Deno.mkdir(outDir, { recursive: true });
  await Deno.mkdir(checkpointDir, { recursive: true });
  const run: TestRun<P> = {
    ctx: undefined as unknown as TaskContext<P>,
    metrics: [],
    progress: [],
    logs: [],
    controller: new AbortController(),
  };
  run.ctx = {
    stageId: task.name,
    key: "test",
    params: parsed,
    upstream: {},
    outDir,
    checkpointDir,
    logPath: `${root}/log.txt`,
    log: {
      info: (message) => run.logs.push(message),
      warn: (message) => run.logs.push(`warn: ${message}`),
    },
    progress: (p) => run.progress.push(p),
    metrics: (r) => run.metrics.push(r),
    signal: run.controller.signal,
  };
  return run;
}
