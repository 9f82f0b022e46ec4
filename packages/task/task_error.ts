/**
 * Thrown by a task for an expected failure (bad input, an interrupted run):
 * the terminal shows its message without a stack trace. When it wraps another
 * error, pass that error as `cause`: the engine writes the cause's stack to
 * the attempt's log, so a real bug reported this way keeps its trace.
 *
 * @example
 * ```ts
 * import { TaskError } from "@dropline/task";
 *
 * try {
 *   JSON.parse("{");
 * } catch (error) {
 *   throw new TaskError(`"config.json" is not valid JSON`, { cause: error });
 * }
 * ```
 */
export class TaskError extends Error {
  override name = "TaskError";
}
