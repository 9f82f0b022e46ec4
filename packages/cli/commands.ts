/**
 * The CLI's commands by name: a one-line description for the command list,
 * and a loader of the command's module, which exports how to run it, its
 * flags and its help side by side as `COMMAND` (so a test can check that the
 * help names every flag).
 */
import type { FlagSpecs } from "@dropline/engine/run";
import type { CommandHelp } from "./command_help.ts";

/** One command of the CLI. */
export interface Command {
  run: (args: string[]) => Promise<number>;
  options: FlagSpecs;
  help: CommandHelp;
}

/**
 * A command as the command list knows it: its description, and a loader.
 * Only the command being run is imported: module loading is most of a
 * no-op run's time, and `exp` and `diff` pull in every task.
 */
export interface CommandEntry {
  about: string;
  load(): Promise<Command>;
}

/**
 * The entry of the command in `./<module>.ts` (its `COMMAND` export),
 * imported by a computed URL: Deno loads every import with a literal
 * specifier at start-up, dynamic ones included, so a literal would load every
 * command's modules again.
 */
function lazy(about: string, module: string): CommandEntry {
  return {
    about,
    load: async () => (await import(new URL(`./${module}.ts`, import.meta.url).href)).COMMAND,
  };
}

/** Every command, in the order the command list shows them. */
export const COMMANDS: Record<string, CommandEntry> = {
  run: lazy("runs a pipeline, reusing stored results", "run_command"),
  status: lazy("the state of every stage, without running anything", "status_command"),
  why: lazy("why a stage would run, or why it is reused", "why_command"),
  dag: lazy("the stage graph as text, mermaid or dot", "dag_command"),
  gc: lazy("deletes stored results no latest run references", "gc_command"),
  exp: lazy("the sweep table of a run: matrix, params, headline metrics", "exp_command"),
  diff: lazy("what changed between two runs, and what re-ran", "diff_command"),
};
