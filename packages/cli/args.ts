/**
 * Command-line parsing shared by the commands (the engine's `parseFlags`).
 */
import { type FlagSpecs, parseFlags, UsageError } from "@dropline/engine/run";

/** Flags every pipeline command takes. */
export const PIPELINE_FLAGS = {
  set: { type: "string", multiple: true },
  "cache-dir": { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

/**
 * Parses `args` strictly; unknown flags and missing values become {@link UsageError}.
 *
 * @example
 * ```ts
 * const { values, positionals } = parseCommandArgs(["p.yaml", "--jobs", "2"], { jobs: { type: "string" } }, "run");
 * ```
 */
export function parseCommandArgs<const O extends FlagSpecs>(
  args: string[],
  options: O,
  command: string,
  { positionals = true }: { positionals?: boolean } = {},
) {
  try {
    return parseFlags(args, options, { positionals });
  } catch (error) {
    if (error instanceof UsageError) throw new UsageError(`${command}: ${error.message}`);
    throw error;
  }
}

/**
 * A positive integer flag value.
 *
 * @example
 * ```ts
 * positiveInt("--jobs", "4"); // 4
 * ```
 */
export function positiveInt(flag: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) {
    throw new UsageError(`${flag} expects a positive integer, got "${value}"`);
  }
  return n;
}
