/**
 * The `dropline` command line: `run`, `status`, `why`, `dag`, `gc`, `exp`, `diff`.
 * User errors print a message (file:line:column where known) and exit 2; a
 * cache directory or journal that cannot be used prints what to do and exits
 * 1; never a stack trace.
 */
import {
  CacheError,
  didYouMean,
  OverrideError,
  PipelineError,
  UsageError,
} from "@dropline/engine/run";
import { COMMANDS } from "./commands.ts";

/** The command list `--help` and an unknown command print. */
export const MAIN_HELP =
  `Usage: deno task <command> [arguments]   (deno run -A packages/cli/main.ts <command>)

Commands:
${Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(8)} ${c.about}`).join("\n")}

deno task <command> --help shows a command's flags and an example.`;

/**
 * Runs a command and returns its exit code.
 *
 * @example
 * ```ts
 * Deno.exit(await main(["status", "pipelines/demo.yaml"]));
 * ```
 */
export async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    console.log(MAIN_HELP);
    return name === undefined ? 2 : 0;
  }
  const entry = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!entry) {
    console.error(
      `Unknown command "${name}"${didYouMean(name, Object.keys(COMMANDS))}\n\n${MAIN_HELP}`,
    );
    return 2;
  }
  try {
    return await (await entry.load()).run(args);
  } catch (error) {
    if (
      error instanceof PipelineError || error instanceof UsageError ||
      error instanceof OverrideError
    ) {
      console.error(error.message);
      return 2;
    }
    if (error instanceof CacheError) {
      console.error(`${name}: ${error.message}`);
      return 1;
    }
    throw error;
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args));
