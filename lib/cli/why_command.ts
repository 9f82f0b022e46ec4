/**
 * `dropline why <pipeline.yaml> <stage>`: why a stage would run, or why it is reused.
 */
import { resolve } from "node:path";
import { planPipeline } from "../engine/plan.ts";
import { loadPipeline } from "../pipeline/load.ts";
import { Store } from "../store/store.ts";
import { TASKS } from "../../tasks/mod.ts";
import { parseCommandArgs, PIPELINE_FLAGS, UsageError } from "./args.ts";
import { openJournalReader } from "./journal_reader.ts";
import { selectStages } from "./select_stages.ts";

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
  const cacheDir = resolve(values["cache-dir"] ?? "cache");
  const pipeline = await loadPipeline(positionals[0]!, {
    tasks: TASKS,
    overrides: values.set ?? [],
  });
  const wanted = selectStages(pipeline, [positionals[1]!], "why");
  const forced = selectStages(pipeline, values.force ?? [], "--force");
  const db = openJournalReader(cacheDir);
  try {
    const plan = await planPipeline(pipeline, new Store(cacheDir), db, forced);
    for (const stage of plan.filter((s) => wanted.has(s.id))) {
      const verdict = stage.action === "reuse" ? "cached" : "would run";
      console.log(`${stage.id}: ${verdict}: ${stage.reason}`);
    }
    return 0;
  } finally {
    db?.close();
  }
}
