/**
 * Command-line parsing shared by the commands, on `node:util` parseArgs.
 */
import { parseArgs, type ParseArgsConfig } from "node:util";
import { didYouMean, UsageError } from "@dropline/engine/run";

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
export function parseCommandArgs<O extends NonNullable<ParseArgsConfig["options"]>>(
  args: string[],
  options: O,
  command: string,
) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (error) {
    const message = (error as Error).message.replace(/\. To specify.*$/s, "");
    const unknown = /Unknown option '-{1,2}([^']+)'/.exec(message)?.[1];
    const hint = unknown ? didYouMean(unknown, Object.keys(options)).replace('"', '"--') : "";
    throw new UsageError(`${command}: ${message}${hint}`);
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
