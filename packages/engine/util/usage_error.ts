/**
 * A bad command line (an unknown flag, a missing or malformed value): the
 * CLI and the dashboard print its message, without a stack trace, and exit 2.
 *
 * @example
 * ```ts
 * throw new UsageError(`--jobs expects a positive integer, got "0"`);
 * ```
 */
export class UsageError extends Error {
  override name = "UsageError";
}
