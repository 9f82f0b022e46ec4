/**
 * `dropline why <pipeline.yaml> <stage>`: why a stage would run, or why it is reused.
 */
import { JournalReader, planPipeline, Store, UsageError } from "@dropline/engine";
import { parseCommandArgs, PIPELINE_FLAGS } from "./args.ts";
import { selectStages } from "./select_stages.ts";
import { cacheDirOf, loadPipelineArg } from "./pipeline_args.ts";

export const WHY_USAGE =
  "Usage: deno task why <pipeline.yaml> <stage> [--set params.k=v]... [--force <stage>]... [--cache-dir DIR]";

/** Prints the reason for each selected stage; returns the exit code. */
export async function whyCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, {
    ...PIPELINE_FLAGS,
    force: { type: "string", multiple: true },
  }, "why");
  if (values.help) return (console.log(WHY_USAGE), 0);
  if (positionals.length !== 2) {
    throw new UsageError(`why: expected a pipeline file and a stage\n${WHY_USAGE}`);
  }
  const cacheDir = cacheDirOf(values);
  const pipeline = await loadPipelineArg(positionals[0]!, values);
  const wanted = selectStages(pipeline, [positionals[1]!], "why");
  const forced = selectStages(pipeline, values.force ?? [], "--force");
  const journal = JournalReader.open(cacheDir);
  try {
    const plan = await planPipeline(pipeline, new Store(cacheDir), journal, forced);
    for (const stage of plan.filter((s) => wanted.has(s.id))) {
      const verdict = stage.action === "reuse" ? "cached" : "would run";
      console.log(`${stage.id}: ${verdict}: ${stage.reason}`);
    }
    return 0;
  } finally {
    journal.close();
  }
}
