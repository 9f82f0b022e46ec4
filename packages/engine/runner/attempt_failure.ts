/**
 * How a failed attempt is shown: the terminal and the journal get the message
 * only, the attempt's log gets the stack traces. An expected failure (a
 * `TaskError`) has no trace of its own worth showing, but the error it wraps
 * as `cause` may be a real bug, so the cause's stack goes to the log.
 */

/** A failed attempt, described for the terminal and the log. */
export interface AttemptFailure {
  /** The one-line message shown in the terminal and recorded in the journal. */
  message: string;
  /** True for a `TaskError`: a failure the task reported on purpose. */
  expected: boolean;
  /** Text for the attempt's log (stack traces), when there is any. */
  logText?: string;
}

/**
 * Describes `error`, thrown by a task's `run`.
 *
 * @example
 * ```ts
 * const failure = describeFailure(new TypeError("x is undefined"));
 * failure.expected; // false
 * failure.logText; // "TypeError: x is undefined\n    at ..."
 * ```
 */
export function describeFailure(error: unknown): AttemptFailure {
  if (!(error instanceof Error)) return { message: String(error), expected: false };
  const expected = error.name === "TaskError";
  const chain = causes(error).map((cause) => `Caused by: ${stackOf(cause)}`);
  if (expected && chain.length === 0) return { message: error.message, expected };
  const head = expected ? `${error.name}: ${error.message}` : stackOf(error);
  return { message: error.message, expected, logText: [head, ...chain].join("\n") };
}

function causes(error: Error): unknown[] {
  const chain: unknown[] = [];
  let cause = error.cause;
  while (cause !== undefined && cause !== error && !chain.includes(cause)) {
    chain.push(cause);
    cause = cause instanceof Error ? cause.cause : undefined;
  }
  return chain;
}

function stackOf(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  return error.stack ?? `${error.name}: ${error.message}`;
}
