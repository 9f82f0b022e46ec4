/**
 * One policy for the errors a task's `run` lets escape: the ML code reports
 * bad input (a shape mismatch, a malformed file) with the built-in error
 * classes, which the terminal should show as a message, while a real bug
 * throws the same classes and must keep its stack trace for the log.
 */
import { TaskError } from "./task_error.ts";

/** An error class, e.g. `Deno.errors.NotFound`. */
// deno-lint-ignore no-explicit-any
export type ErrorClass = abstract new (...args: any[]) => Error;

/** Options of {@linkcode withTaskErrors}. */
export interface TaskErrorsOptions {
  /** The message when the stage was interrupted; default `"Interrupted"`. */
  interrupted?: string;
  /** Error classes reported as messages besides `TypeError`, `RangeError` and `SyntaxError`. */
  also?: readonly ErrorClass[];
}

const INPUT_ERRORS: readonly ErrorClass[] = [TypeError, RangeError, SyntaxError];

/**
 * Wraps a task's `run` (anything taking a context with a `signal`): an error
 * thrown after the signal was aborted becomes a `TaskError` saying the stage
 * was interrupted; a `TypeError`,
 * `RangeError`, `SyntaxError` (or a class in `also`) becomes a `TaskError`
 * with the same message and the original as `cause`, whose stack the engine
 * writes to the attempt's log. Anything else passes through unchanged.
 *
 * @example
 * ```ts
 * import { z } from "zod";
 * import { defineTask, withTaskErrors } from "@dropline/task";
 *
 * export default defineTask({
 *   name: "count",
 *   version: 1,
 *   description: "Counts the lines of a file",
 *   module: import.meta.url,
 *   schema: z.object({ file: z.string() }),
 *   outputs: () => ["count.txt"],
 *   run: withTaskErrors(async (ctx) => {
 *     const lines = (await Deno.readTextFile(ctx.params.file)).split("\n").length;
 *     await Deno.writeTextFile(`${ctx.outDir}/count.txt`, String(lines));
 *   }, { also: [Deno.errors.NotFound] }),
 * });
 * ```
 */
export function withTaskErrors<C extends { signal: AbortSignal }>(
  run: (ctx: C) => Promise<void>,
  options: TaskErrorsOptions = {},
): (ctx: C) => Promise<void> {
  const reported = [...INPUT_ERRORS, ...options.also ?? []];
  return async (ctx) => {
    try {
      await run(ctx);
    } catch (error) {
      if (ctx.signal.aborted) {
        throw new TaskError(options.interrupted ?? "Interrupted", { cause: error });
      }
      if (error instanceof TaskError) throw error;
      if (reported.some((kind) => error instanceof kind)) {
        throw new TaskError((error as Error).message, { cause: error });
      }
      throw error;
    }
  };
}
