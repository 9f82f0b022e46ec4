/**
 * The CLI's commands by name: how to run each, a one-line description for
 * the command list, and its flags and help (kept side by side so a test can
 * check that the help names every flag).
 */
import type { ParseArgsConfig } from "node:util";
import type { CommandHelp } from "./command_help.ts";
import { DAG_HELP, DAG_OPTIONS, dagCommand } from "./dag_command.ts";
import { DIFF_HELP, DIFF_OPTIONS, diffCommand } from "./diff_command.ts";
import { EXP_HELP, EXP_OPTIONS, expCommand } from "./exp_command.ts";
import { GC_HELP, GC_OPTIONS, gcCommand } from "./gc_command.ts";
import { RUN_HELP, RUN_OPTIONS, runCommand } from "./run_command.ts";
import { STATUS_HELP, STATUS_OPTIONS, statusCommand } from "./status_command.ts";
import { WHY_HELP, WHY_OPTIONS, whyCommand } from "./why_command.ts";

/** One command of the CLI. */
export interface Command {
  run: (args: string[]) => Promise<number>;
  about: string;
  options: NonNullable<ParseArgsConfig["options"]>;
  help: CommandHelp;
}

/** Every command, in the order the command list shows them. */
export const COMMANDS: Record<string, Command> = {
  run: {
    run: runCommand,
    about: "runs a pipeline, reusing stored results",
    options: RUN_OPTIONS,
    help: RUN_HELP,
  },
  status: {
    run: statusCommand,
    about: "the state of every stage, without running anything",
    options: STATUS_OPTIONS,
    help: STATUS_HELP,
  },
  why: {
    run: whyCommand,
    about: "why a stage would run, or why it is reused",
    options: WHY_OPTIONS,
    help: WHY_HELP,
  },
  dag: {
    run: dagCommand,
    about: "the stage graph as text, mermaid or dot",
    options: DAG_OPTIONS,
    help: DAG_HELP,
  },
  gc: {
    run: gcCommand,
    about: "deletes stored results no latest run references",
    options: GC_OPTIONS,
    help: GC_HELP,
  },
  exp: {
    run: expCommand,
    about: "the sweep table of a run: matrix, params, headline metrics",
    options: EXP_OPTIONS,
    help: EXP_HELP,
  },
  diff: {
    run: diffCommand,
    about: "what changed between two runs, and what re-ran",
    options: DIFF_OPTIONS,
    help: DIFF_HELP,
  },
};
