/**
 * `dropline why <pipeline.yaml> <stage>`: why a stage would run, or why it is reused.
 */
import { JournalReader, planPipeline, Store, UsageError } from "@dropline/engine/run";
import { parseCommandArgs, PIPELINE_FLAGS } from "./args.ts";
import { type CommandHelp, PIPELINE_FLAG_HELP, renderHelp } from "./command_help.ts";
import { selectStages } from "./select_stages.ts";
import { cacheDirOf, loadGraphArg } from "./pipeline_args.ts";
import type { Command } from "./commands.ts";
import { describeStage, type StageStatus } from "./stage_status.ts";

/** The flags `why` accepts. */
export const WHY_OPTIONS = {
  ...PIPELINE_FLAGS,
  force: { type: "string", multiple: true },
} as const;

export const WHY_HELP: CommandHelp = {
  usage:
    "deno task why <pipeline.yaml> <stage> [--set params.K=V]... [--force STAGE]... [--cache-dir DIR]",
  about: `Why a stage would run, or why its stored result is reused: the param, input file, upstream
output, task version or environment that changed, with old and new values. A stage name stands for
all its expansions.`,
  flags: [
    ["--force STAGE", "as run --force would: that stage counts as forced"],
    ...PIPELINE_FLAG_HELP,
  ],
  examples: [
    "deno task why pipelines/rotated_mnist.yaml finetune",
    "deno task why pipelines/demo.yaml make --set params.n=5",
  ],
};

/** How `why` words each state `status` reports. */
const VERDICTS: Record<StageStatus["state"], string> = {
  cached: "cached",
  pending: "would run",
  running: "running",
  failed: "would run",
};

export const WHY_USAGE = `Usage: ${WHY_HELP.usage}`;

/** Prints the reason for each selected stage; returns the exit code. */
export async function whyCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, WHY_OPTIONS, "why");
  if (values.help) return (console.log(renderHelp(WHY_HELP)), 0);
  if (positionals.length !== 2) {
    throw new UsageError(`why: expected a pipeline file and a stage\n${WHY_USAGE}`);
  }
  const cacheDir = cacheDirOf(values);
  const { graph: pipeline } = await loadGraphArg(positionals[0]!, values, cacheDir);
  const wanted = selectStages(pipeline, [positionals[1]!], "why");
  const forced = selectStages(pipeline, values.force ?? [], "--force");
  const journal = JournalReader.open(cacheDir);
  try {
    const store = new Store(cacheDir);
    store.useIndex(journal.objects);
    const plan = await planPipeline(pipeline, store, journal, forced);
    for (const stage of plan.filter((s) => wanted.has(s.id))) {
      // The reasons `status` gives: a key another live run computes is "running", not "would run".
      const { state, reason } = describeStage(stage, store, journal, { withJob: false });
      console.log(`${stage.id}: ${VERDICTS[state]}: ${reason}`);
    }
    return 0;
  } finally {
    journal.close();
  }
}

/** The command as `commands.ts` loads it. */
export const COMMAND: Command = { run: whyCommand, options: WHY_OPTIONS, help: WHY_HELP };
