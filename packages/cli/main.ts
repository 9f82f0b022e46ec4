/**
 * The `dropline` command line: `run`, `status`, `why`, `dag`, `gc`, `exp`, `diff`.
 * User errors print a message (file:line:column where known) and exit 2; a
 * cache directory or journal that cannot be used prints what to do and exits
 * 1; never a stack trace.
 */
import { CacheError, OverrideError, PipelineError, UsageError } from "@dropline/engine";
import { dagCommand } from "./dag_command.ts";
import { diffCommand } from "./diff_command.ts";
import { expCommand } from "./exp_command.ts";
import { gcCommand } from "./gc_command.ts";
import { runCommand } from "./run_command.ts";
import { statusCommand } from "./status_command.ts";
import { whyCommand } from "./why_command.ts";

const COMMANDS: Record<string, (args: string[]) => Promise<number>> = {
  run: runCommand,
  status: statusCommand,
  why: whyCommand,
  dag: dagCommand,
  gc: gcCommand,
  exp: expCommand,
  diff: diffCommand,
};

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
  const command = name ? COMMANDS[name] : undefined;
  if (!command) {
    console.error(`Usage: dropline <${Object.keys(COMMANDS).join("|")}> ...`);
    return 2;
  }
  try {
    return await command(args);
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
