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
export interface CommandEntry {
  about: string;
  load(): Promise<Command>;
}

/** Every command, in the order the command list shows them. */
export const COMMANDS: Record<string, CommandEntry> = {
  run: {
    about: "runs a pipeline, reusing stored results",
    load: async () => {
      const m = await import("./run_command.ts");
      return { run: m.runCommand, options: m.RUN_OPTIONS, help: m.RUN_HELP };
    },
  },
  status: {
    about: "the state of every stage, without running anything",
    load: async () => {
      const m = await import("./status_command.ts");
      return { run: m.statusCommand, options: m.STATUS_OPTIONS, help: m.STATUS_HELP };
    },
  },
  why: {
    about: "why a stage would run, or why it is reused",
    load: async () => {
      const m = await import("./why_command.ts");
      return { run: m.whyCommand, options: m.WHY_OPTIONS, help: m.WHY_HELP };
    },
  },
  dag: {
    about: "the stage graph as text, mermaid or dot",
    load: async () => {
      const m = await import("./dag_command.ts");
      return { run: m.dagCommand, options: m.DAG_OPTIONS, help: m.DAG_HELP };
    },
  },
  gc: {
    about: "deletes stored results no latest run references",
    load: async () => {
      const m = await import("./gc_command.ts");
      return { run: m.gcCommand, options: m.GC_OPTIONS, help: m.GC_HELP };
    },
  },
  exp: {
    about: "the sweep table of a run: matrix, params, headline metrics",
    load: async () => {
      const m = await import("./exp_command.ts");
      return { run: m.expCommand, options: m.EXP_OPTIONS, help: m.EXP_HELP };
    },
  },
  diff: {
    about: "what changed between two runs, and what re-ran",
    load: async () => {
      const m = await import("./diff_command.ts");
      return { run: m.diffCommand, options: m.DIFF_OPTIONS, help: m.DIFF_HELP };
    },
  },
};
