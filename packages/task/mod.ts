/**
 * The task contract: a task is data (name, version, schema, declared outputs)
 * plus `run(ctx)`. The engine never branches on a task's name; everything it
 * needs to know about a task is a field here.
 *
 * Task modules are imported by the CLI for validation, so they must stay light
 * at top level: heavy dependencies (TF.js, sharp) are imported inside `run`.
 *
 * @example
 * ```ts
 * import { z } from "zod";
 * import { defineTask } from "@dropline/task";
 *
 * export default defineTask({
 *   name: "hello",
 *   version: 1,
 *   description: "Writes a greeting",
 *   module: import.meta.url,
 *   schema: z.object({ who: z.string() }),
 *   outputs: () => ["hello.txt"],
 *   async run(ctx) {
 *     await Deno.writeTextFile(`${ctx.outDir}/hello.txt`, `hello ${ctx.params.who}`);
 *   },
 * });
 * ```
 */
import type { z } from "zod";
import type { Headline } from "./headline.ts";

export { shellWord } from "./shell_word.ts";

/** Progress of a running stage, shown in the terminal and the dashboard. */
export interface Progress {
  /** Units done so far. */
  done: number;
  /** Total units, when known. */
  total?: number;
  /** What a unit is: "steps", "images", "bytes". */
  unit?: string;
  /** A short free-form note ("loss 0.31"). */
  note?: string;
}

/** A line-oriented logger writing into the attempt's log file. */
export interface Logger {
  info(message: string): void;
  warn(message: string): void;
}

/** Appends one metrics record (JSONL in the attempt dir, rows in the journal). */
export type MetricsLogger = (record: { step: number } & Record<string, number>) => void;

/** What a task's `run` receives. */
export interface TaskContext<P> {
  /** The stage id, e.g. `finetune[seed=0,rate=0.9]`. */
  stageId: string;
  /** The stage key (hex). */
  key: string;
  /** The validated, fully rendered `with` parameters (upstream paths are absolute). */
  params: P;
  /** Published output directories of the stages this one depends on, by stage id. */
  upstream: Record<string, string>;
  /** A fresh staging directory; everything written here is published on success. */
  outDir: string;
  /**
   * A directory that survives interruption for the same key, for resumable
   * work. Never part of the key or the output; removed once the stage publishes.
   */
  checkpointDir: string;
  /**
   * Directory that relative paths in the pipeline are relative to (the
   * pipeline file's directory). Child-process tasks also run with it as cwd.
   */
  workDir?: string;
  log: Logger;
  /** Absolute path of this attempt's log file (child processes may append to it). */
  logPath: string;
  progress(p: Progress): void;
  metrics: MetricsLogger;
  /**
   * Records facts about this attempt in the run journal (e.g. the tensor
   * backend and its version). Optional so hand-built test contexts may omit it.
   */
  record?(facts: Record<string, string | number | boolean>): void;
  /** Aborted on Ctrl-C or when the run is stopped: stop promptly, leaving checkpoints usable. */
  signal: AbortSignal;
}

/** Where a task runs relative to the scheduler. */
export type Isolation =
  /** In the scheduler's process: only for tasks whose work already happens in a child process. */
  | "inline"
  /** In a child Deno process of its own, so a crash or out-of-memory fails that stage alone. */
  | "process";

/** A task: a kind of stage. */
export interface Task<P = unknown> {
  /** The name used in `task:` in pipelines. */
  name: string;
  /** Bump when the task's results change for the same parameters: it is part of the key. */
  version: number;
  /** One sentence for `dropline` listings and the README. */
  description: string;
  /** `import.meta.url` of the module whose default export is this task (for child processes). */
  module: string;
  /** Schema of the stage's `with` map. */
  schema: z.ZodType<P>;
  /** Files (relative to the output dir) the stage must produce. */
  outputs(params: P): string[];
  /**
   * Top-level `with` fields holding a bash script: `${{ }}` there renders as
   * text bash reads back as exactly the value (quoted for where it sits), so
   * no value can change the script's structure.
   */
  shellScripts?: readonly string[];
  /** Local files or directories whose content is part of the key. */
  inputFiles?(params: P): string[];
  /**
   * Facts outside `with` that change the task's results (e.g. the tensor
   * backend a run would use): part of the key. Evaluated when the pipeline is
   * compiled; a thrown error is reported as a problem of the stage.
   */
  environment?(params: P): Record<string, string>;
  /** Defaults to "process". */
  isolation?: Isolation;
  /**
   * Extra Deno flags for the child process a "process" task runs in (e.g.
   * `--unstable-webgpu` for a GPU backend). The engine passes them on as they are.
   */
  hostFlags?: readonly string[];
  /**
   * Whether the task keeps resumable state in `ctx.checkpointDir` (default
   * true): the engine then creates it before `run` and deletes it once the
   * output is published. Tasks that never checkpoint say false and save two
   * directory operations per stage.
   */
  checkpoints?: boolean;
  /**
   * The stage's headline metrics (e.g. best validation and test accuracy):
   * the columns of sweep tables and run diffs. Tasks without results to
   * compare leave it out.
   */
  headline?: Headline;
  run(ctx: TaskContext<P>): Promise<void>;
  /**
   * Releases what the task keeps across the stages of a run (e.g. worker
   * threads of an inline task). Called once when a run that used it ends.
   */
  dispose?(): void | Promise<void>;
}

/** Identity helper that gives `run` typed parameters from the schema. */
export function defineTask<S extends z.ZodType>(task: Task<z.output<S>> & { schema: S }): Task {
  return task as unknown as Task;
}

export { type Headline, numberAt } from "./headline.ts";
export { TaskError } from "./task_error.ts";
export { type TaskErrorsOptions, withTaskErrors } from "./with_task_errors.ts";
