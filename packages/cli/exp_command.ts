/**
 * `dropline exp <pipeline.yaml>`: the sweep table of a run - one row per
 * stage expansion with its matrix values, the params that vary and the
 * headline metrics - as text, JSON or CSV, filtered and sorted.
 */
import {
  didYouMean,
  JournalReader,
  readSweep,
  type RunRecord,
  type StageBrief,
  UsageError,
} from "@dropline/engine";
import { TASKS } from "@dropline/tasks";
import { parseCommandArgs, PIPELINE_FLAGS } from "./args.ts";
import { type CommandHelp, renderHelp } from "./command_help.ts";
import { resolveRun, setsOf } from "./run_choice.ts";
import { cacheDirOf } from "./pipeline_args.ts";
import { filterRows, parseFilter, parseSort, sortRows } from "./sweep_filter.ts";
import { sweepCsv, sweepJson, sweepText } from "./sweep_table.ts";
import type { Command } from "./commands.ts";

/** Tasks that declare headline metrics: what `exp` shows unless told otherwise. */
const WITH_HEADLINE = new Set([...TASKS.values()].filter((t) => t.headline).map((t) => t.name));

/** Prints the sweep table of a run; returns the exit code. */
export async function expCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, EXP_OPTIONS, "exp");
  if (values.help) return (console.log(renderHelp(EXP_HELP)), 0);
  if (positionals.length > 1 || (positionals.length === 0 && !values.run)) {
    throw new UsageError(`exp: expected one pipeline file or --run ID\n${EXP_USAGE}`);
  }
  if (values.json && values.csv) throw new UsageError("exp: --json and --csv exclude each other");
  const filters = (values.filter ?? []).map(parseFilter);
  const sort = values.sort === undefined ? undefined : parseSort(values.sort);
  const cacheDir = cacheDirOf(values);
  const journal = JournalReader.open(cacheDir);
  try {
    const run = await resolveRun(journal, values.run ?? positionals[0]!, {
      sets: values.set,
      cacheDir,
    });
    const stages = stageNames(journal.listStages(run.id), values, run.id);
    let rows = await readSweep(journal, run.id, { tasks: TASKS, stages });
    rows = filterRows(rows, filters);
    if (sort) rows = sortRows(rows, sort);
    if (values.json) console.log(JSON.stringify(sweepJson(run, rows), null, 2));
    else if (values.csv) console.log(sweepCsv(rows).trimEnd());
    else console.log(`${runTitle(run)}\n\n${rows.length ? sweepText(rows) : noRows(stages)}`);
    return 0;
  } finally {
    journal.close();
  }
}

/**
 * The YAML stages to read: `--stage`, every stage with `--all`, else those
 * whose task declares headline metrics. Chosen from the light stage list so
 * that only their rows (and output files) are read.
 */
function stageNames(
  briefs: readonly StageBrief[],
  values: { stage?: string[] | undefined; all?: boolean | undefined },
  runId: string,
): string[] {
  const names = [...new Set(briefs.map((b) => b.name))];
  for (const stage of values.stage ?? []) {
    if (!names.includes(stage)) {
      throw new UsageError(
        `exp: no stage "${stage}" in run ${runId}${didYouMean(stage, names)}; its stages are ${
          names.join(", ")
        }`,
      );
    }
  }
  if (values.stage) return values.stage;
  if (values.all) return names;
  return [...new Set(briefs.filter((b) => WITH_HEADLINE.has(b.task)).map((b) => b.name))];
}

function noRows(stages: readonly string[]): string {
  return stages.length
    ? "no rows match\n"
    : "no stage of this run has a task with headline metrics; --all shows every stage\n";
}

/** One line about a run: id, pipeline, state, start time and overrides. */
export function runTitle(run: RunRecord): string {
  const sets = setsOf(run.argv).map((s) => ` --set ${s}`).join("");
  const started = new Date(run.startedAt).toISOString().slice(0, 19).replace("T", " ");
  return `run ${run.id} of ${run.pipeline} (${run.state}, started ${started} UTC)${sets}`;
}

/** The flags `exp` accepts. */
export const EXP_OPTIONS = {
  ...PIPELINE_FLAGS,
  run: { type: "string" },
  json: { type: "boolean" },
  csv: { type: "boolean" },
  sort: { type: "string" },
  filter: { type: "string", multiple: true },
  stage: { type: "string", multiple: true },
  all: { type: "boolean" },
} as const;

export const EXP_HELP: CommandHelp = {
  usage: "deno task exp <pipeline.yaml> [--set params.K=V]... [--run ID] [flags]",
  about:
    `One row per stage expansion of the pipeline's latest run (with the same --set overrides when
given): its matrix values, the params that differ between expansions, the headline metrics its
task declares (finetune: val_acc, test_acc), state and time. One table per stage.`,
  flags: [
    ["--run ID", "this run instead (the pipeline file may then be left out)"],
    ["--set params.K=V", "the latest run made with exactly these overrides (repeatable)"],
    [
      "--stage NAME",
      "only this stage's expansions (repeatable; default: stages with headline metrics)",
    ],
    ["--all", "every stage, with or without headline metrics"],
    [
      "--filter EXPR",
      "keep rows where KEY OP VALUE holds (repeatable; all must hold). OP: = != < <= > >=",
    ],
    ["", "~ (contains). KEY: a matrix axis, metric or param (matrix., metrics., params. to be"],
    ["", "explicit), or stage, id, task, state, duration"],
    ["--sort COLUMN[:desc]", "order by a column, ascending unless :desc; missing values last"],
    [
      "--json",
      "{run, columns: {matrix, params, metrics}, rows: [{stage, matrix, params, metrics, ...}]}",
    ],
    ["--csv", "one CSV table: id, stage, task, state, duration_ms, then the columns"],
    ["--cache-dir DIR", "the cache directory (default ./cache)"],
    ["--help, -h", "this help"],
  ],
  examples: [
    "deno task exp pipelines/rotated_mnist.yaml",
    'deno task exp pipelines/rotated_mnist.yaml --stage finetune --filter "dropout>=0.9" --sort test_acc:desc',
    "deno task exp --run 20261202T080617.907Z-304772 --csv > sweep.csv",
  ],
};

export const EXP_USAGE = `Usage: ${EXP_HELP.usage}`;

/** The command as `commands.ts` loads it. */
export const COMMAND: Command = { run: expCommand, options: EXP_OPTIONS, help: EXP_HELP };
