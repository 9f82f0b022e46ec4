/**
 * What `deno task <command> --help` prints: usage, what the command does,
 * every flag with its meaning, and examples - one data structure per
 * command, rendered the same way for all.
 */

/** A command's help, as data. */
export interface CommandHelp {
  /** The usage line without `Usage: `, e.g. `deno task run <pipeline.yaml> [flags]`. */
  usage: string;
  /** What the command does, in a sentence or three. */
  about: string;
  /** Every flag the command accepts: its spelling(s) with the value, and its meaning. */
  flags: ReadonlyArray<readonly [flag: string, meaning: string]>;
  /** Command lines to copy. */
  examples: readonly string[];
}

/** The flags most pipeline commands take, as their help says them. */
export const PIPELINE_FLAG_HELP = [
  ["--set params.K=V", "override a pipeline param (repeatable; V is parsed as YAML)"],
  ["--cache-dir DIR", "the cache directory (default ./cache)"],
  ["--help, -h", "this help"],
] as const;

/**
 * The help text: usage, about, flags in two aligned columns, examples.
 *
 * @example
 * ```ts
 * console.log(renderHelp(RUN_HELP));
 * ```
 */
export function renderHelp(help: CommandHelp): string {
  const width = Math.max(...help.flags.map(([flag]) => flag.length));
  const flags = help.flags.map(([flag, meaning]) => `  ${flag.padEnd(width)}  ${meaning}`);
  return [
    `Usage: ${help.usage}`,
    "",
    help.about,
    "",
    "Flags:",
    ...flags,
    "",
    help.examples.length === 1 ? "Example:" : "Examples:",
    ...help.examples.map((example) => `  ${example}`),
  ].join("\n");
}
