/**
 * `dropline diff <run-a> <run-b>`: what changed from one run to another -
 * `--set` overrides, params and headline metrics that differ, stages that
 * re-ran and why, stages only in one run. A run is named by its id or by a
 * pipeline file (its latest run).
 */
import {
  diffSweeps,
  JournalReader,
  readSweep,
  type RunRecord,
  type SweepDiff,
  UsageError,
  type ValueChange,
} from "@dropline/engine";
import { TASKS } from "@dropline/tasks";
import { parseCommandArgs } from "./args.ts";
import { type CommandHelp, renderHelp } from "./command_help.ts";
import { runTitle } from "./exp_command.ts";
import { cacheDirOf } from "./pipeline_args.ts";
import { latestRun, resolveRun, setsOf } from "./run_choice.ts";
import { alignColumns, cellText, metricText } from "./sweep_table.ts";
import type { Command } from "./commands.ts";

/** Prints the difference of two runs; returns the exit code. */
export async function diffCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, DIFF_OPTIONS, "diff");
  if (values.help) return (console.log(renderHelp(DIFF_HELP)), 0);
  if (positionals.length < 1 || positionals.length > 2) {
    throw new UsageError(`diff: expected two runs (ids or pipeline files) or one\n${DIFF_USAGE}`);
  }
  const cacheDir = cacheDirOf(values);
  const journal = JournalReader.open(cacheDir);
  try {
    const b = await resolveRun(journal, positionals.at(-1)!, { cacheDir });
    const a = positionals.length === 2
      ? await resolveRun(journal, positionals[0]!, { cacheDir })
      : previousRun(journal, b);
    const options = { tasks: TASKS };
    const diff = diffSweeps(
      await readSweep(journal, a.id, options),
      await readSweep(journal, b.id, options),
    );
    if (values.json) {
      console.log(JSON.stringify({ a: runJson(a), b: runJson(b), ...diff }, null, 2));
    } else console.log(diffText(a, b, diff));
    return 0;
  } finally {
    journal.close();
  }
}

function previousRun(journal: JournalReader, run: RunRecord): RunRecord {
  const previous = latestRun(journal, run.pipeline, { before: run.id, skipNoop: true });
  if (!previous) {
    throw new UsageError(
      `diff: run ${run.id} is the first of pipeline "${run.pipeline}"; name two runs`,
    );
  }
  return previous;
}

function runJson(run: RunRecord) {
  return { id: run.id, pipeline: run.pipeline, state: run.state, sets: setsOf(run.argv) };
}

/**
 * The diff as text: the two runs, then sections for `--set`, params (one
 * line per change shared by a stage's expansions), metrics, re-runs (by
 * reason) and lone stages. Sections with nothing to say are left out.
 */
export function diffText(a: RunRecord, b: RunRecord, diff: SweepDiff): string {
  const out = [`a: ${runTitle(a)}`, `b: ${runTitle(b)}`];
  const [setsA, setsB] = [setsOf(a.argv), setsOf(b.argv)];
  const setChanges = [
    ...setsA.filter((s) => !setsB.includes(s)).map((s) => `  - --set ${s}`),
    ...setsB.filter((s) => !setsA.includes(s)).map((s) => `  + --set ${s}`),
  ];
  if (setChanges.length) out.push("", "overrides", ...setChanges);
  const params = paramLines(diff);
  if (params.length) out.push("", "params", alignColumns(params).replace(/^/gm, "  "));
  const metrics = diff.changed.flatMap((c) =>
    c.metrics.map((m) => [c.stage, m.key, metricValue(m.a), metricValue(m.b), delta(m)])
  );
  if (metrics.length) {
    const table = alignColumns([["stage", "metric", "a", "b", "change"], ...metrics], [
      false,
      false,
      true,
      true,
      true,
    ]);
    out.push("", "metrics", table.replace(/^/gm, "  "));
  }
  const states = diff.changed.filter((c) =>
    c.state && !diff.reran.some((r) => r.stage === c.stage)
  );
  for (const c of states) out.push(`  ${c.stage}: ${c.state!.a} → ${c.state!.b}`);
  if (diff.reran.length) out.push("", `re-ran in b (${diff.reran.length})`, ...rerunLines(diff));
  if (diff.onlyA.length) out.push("", `only in a: ${listed(diff.onlyA)}`);
  if (diff.onlyB.length) out.push("", `only in b: ${listed(diff.onlyB)}`);
  if (out.length === 2) out.push("", "no differences");
  return out.join("\n");
}

/** Param changes grouped by stage name, key and values: a sweep-wide change is one line. */
function paramLines(diff: SweepDiff): string[][] {
  const groups = new Map<string, { name: string; change: ValueChange; stages: string[] }>();
  for (const c of diff.changed) {
    for (const change of c.params) {
      const id = JSON.stringify([c.name, change.key, cellText(change.a), cellText(change.b)]);
      const group = groups.get(id) ?? { name: c.name, change, stages: [] };
      group.stages.push(c.stage);
      groups.set(id, group);
    }
  }
  return [...groups.values()].map(({ name, change, stages }) => [
    stages.length === 1 ? stages[0]! : `${name} (${stages.length} expansions)`,
    change.key,
    `${shown(change.a)} → ${shown(change.b)}`,
  ]);
}

function rerunLines(diff: SweepDiff): string[] {
  const byReason = new Map<string, string[]>();
  for (const r of diff.reran) {
    const reason = r.state === "succeeded" ? r.reason : `${r.reason} (${r.state})`;
    byReason.set(reason, [...byReason.get(reason) ?? [], r.stage]);
  }
  return [...byReason].map(([reason, stages]) =>
    `  ${
      stages.length === 1 ? stages[0] : `${listed(stages, 2)} (${stages.length} stages)`
    }: ${reason}`
  );
}

function listed(stages: readonly string[], max = 4): string {
  const more = stages.length > max ? `, … ${stages.length - max} more` : "";
  return stages.slice(0, max).join(", ") + more;
}

function shown(value: unknown): string {
  return value === undefined ? "(absent)" : cellText(value);
}

function metricValue(value: unknown): string {
  return typeof value === "number" ? metricText(value) : shown(value);
}

function delta(change: ValueChange): string {
  if (typeof change.a !== "number" || typeof change.b !== "number") return "";
  const d = change.b - change.a;
  return `${d >= 0 ? "+" : ""}${d.toFixed(4)}`;
}

/** The flags `diff` accepts. */
export const DIFF_OPTIONS = {
  "cache-dir": { type: "string" },
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

export const DIFF_HELP: CommandHelp = {
  usage:
    "deno task diff <run-a | pipeline-a.yaml> [<run-b | pipeline-b.yaml>] [--json] [--cache-dir DIR]",
  about: `What changed from run a to run b: --set overrides, params (a change shared by a stage's
expansions is one line) and headline metrics that differ, the stages b executed rather than
reused with the reason it recorded, and stages only one run has. A pipeline file stands for its
latest run; with one argument, b is compared with the run of its pipeline before it.`,
  flags: [
    ["--json", "{a, b, onlyA, onlyB, changed: [{stage, name, params, metrics, state}], reran}"],
    ["--cache-dir DIR", "the cache directory (default ./cache)"],
    ["--help, -h", "this help"],
  ],
  examples: [
    "deno task diff 20261202T080617.907Z-304772 20261202T080655.449Z-22bde5",
    "deno task diff pipelines/rotated_mnist.yaml   # its latest run against the one before",
  ],
};

export const DIFF_USAGE = `Usage: ${DIFF_HELP.usage}`;

/** The command as `commands.ts` loads it. */
export const COMMAND: Command = { run: diffCommand, options: DIFF_OPTIONS, help: DIFF_HELP };
