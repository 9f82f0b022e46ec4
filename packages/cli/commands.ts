/**
 * The CLI's commands by name: how to run each, a one-line description for
 * the command list, and its flags and help (kept side by side so a test can
 * check that the help names every flag).
 */
import type { ParseArgsConfig } from "node:util";
import type { CommandHelp } from "./command_help.ts";

/** One command of the CLI. */
export interface Command {
  run: (args: string[]) => Promise<number>;
  options: NonNullable<ParseArgsConfig["options"]>;
  help: CommandHelp;
}

/**
 * A command as the command list knows it: its description, and a loader.
 * Only the command being run is imported: module loading is most of a
 * no-op run's time, and `exp` and `diff` pull in every task.
 */

/**
 * Imports a command module by a computed URL: Deno loads every import with a
 * literal specifier at start-up, dynamic ones included, so a literal would
 * load every command's modules again.
 */
function load(name: string) {
  return import(new URL(`./${name}.ts`, import.meta.url).href);
}
export interface CommandEntry {
  about: string;
  load(): Promise<Command>;
}

/** Every command, in the order the command list shows them. */
export const COMMANDS: Record<string, CommandEntry> = {
  run: {
    about: "runs a pipeline, reusing stored results",
    load: async () => {
      const m: typeof import("./run_command.ts") = await load("run_command");
      return { run: m.runCommand, options: m.RUN_OPTIONS, help: m.RUN_HELP };
    },
  },
  status: {
    about: "the state of every stage, without running anything",
    load: async () => {
      const m: typeof import("./status_command.ts") = await load("status_command");
      return { run: m.statusCommand, options: m.STATUS_OPTIONS, help: m.STATUS_HELP };
    },
  },
  why: {
    about: "why a stage would run, or why it is reused",
    load: async () => {
      const m: typeof import("./why_command.ts") = await load("why_command");
      return { run: m.whyCommand, options: m.WHY_OPTIONS, help: m.WHY_HELP };
    },
  },
  dag: {
    about: "the stage graph as text, mermaid or dot",
    load: async () => {
      const m: typeof import("./dag_command.ts") = await load("dag_command");
      return { run: m.dagCommand, options: m.DAG_OPTIONS, help: m.DAG_HELP };
    },
  },
  gc: {
    about: "deletes stored results no latest run references",
    load: async () => {
      const m: typeof import("./gc_command.ts") = await load("gc_command");
      return { run: m.gcCommand, options: m.GC_OPTIONS, help: m.GC_HELP };
    },
  },
  exp: {
    about: "the sweep table of a run: matrix, params, headline metrics",
    load: async () => {
      const m: typeof import("./exp_command.ts") = await load("exp_command");
      return { run: m.expCommand, options: m.EXP_OPTIONS, help: m.EXP_HELP };
    },
  },
  diff: {
    about: "what changed between two runs, and what re-ran",
    load: async () => {
      const m: typeof import("./diff_command.ts") = await load("diff_command");
      return { run: m.diffCommand, options: m.DIFF_OPTIONS, help: m.DIFF_HELP };
    },
  },
};
