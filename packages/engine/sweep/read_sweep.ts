/**
 * The sweep table of a run: one row per stage expansion with its matrix
 * values, parameters, headline metrics, state and duration. Read from the
 * journal (through its reader) and the published outputs; shared by
 * `deno task exp`, `deno task diff` and the dashboard's sweep table.
 */
import { join } from "../util/posix_path.ts";
import type { Headline } from "@dropline/task";
import type { JournalReader } from "../journal/journal_reader.ts";
import type { StageRecord } from "../journal/records.ts";
import type { StageState } from "../journal/schema.ts";

/** One stage expansion of a run, as a sweep table shows it. */
export interface SweepRow {
  /** The stage id, e.g. `finetune[test_domain=0,dropout=0.9,seed=1]`. */
  stage: string;
  /** The YAML stage it expands from: `finetune`. */
  name: string;
  task: string;
  /** Matrix values (`{}` for a stage without a matrix). */
  matrix: Record<string, unknown>;
  /** The schema-parsed `with` (defaults filled in, upstream outputs as `<out:id>`). */
  params: Record<string, unknown>;
  /** Headline metrics the task declares, by name (empty until the output is published). */
  metrics: Record<string, number | null>;
  state: StageState;
  /** Why it ran, was reused or skipped. */
  reason: string;
  /**
   * How long producing the result took: this run's attempt, or for a reused
   * result the attempt that produced it (null when unknown or not finished).
   */
  durationMs: number | null;
  /** The run whose attempt produced the result (this run unless reused; null if none). */
  producedBy: string | null;
  /** The published output directory, once published. */
  outPath: string | null;
  /** Why the headline metrics could not be read (a missing or damaged file), else null. */
  metricsError: string | null;
}

/** What {@linkcode readSweep} needs of a task: where its headline metrics are. */
export type HeadlineSource = ReadonlyMap<string, { readonly headline?: Headline }>;

/** Options of {@linkcode readSweep}. */
export interface ReadSweepOptions {
  /** The tasks by name (the CLI's and dashboard's registry), for their headline declarations. */
  tasks: HeadlineSource;
  /** Only the expansions of these YAML stage names (default: all stages). */
  stages?: readonly string[];
}

/**
 * The rows of a run in topological order; an unknown run gives no rows.
 *
 * @example
 * ```ts
 * const journal = new JournalReader("cache");
 * const rows = await readSweep(journal, runId, { tasks: TASKS, stages: ["finetune"] });
 * for (const row of rows) console.log(row.matrix, row.metrics.test_acc);
 * ```
 */
export async function readSweep(
  journal: JournalReader,
  runId: string,
  options: ReadSweepOptions,
): Promise<SweepRow[]> {
  const names = options.stages ? new Set(options.stages) : undefined;
  const rows: SweepRow[] = [];
  for (const brief of journal.listStages(runId)) {
    if (names && !names.has(brief.name)) continue;
    const stage = journal.getStage(runId, brief.id);
    if (!stage) continue;
    const headline = options.tasks.get(stage.task)?.headline;
    const { metrics, error } = await readHeadline(headline, stage.outPath);
    rows.push({
      stage: stage.id,
      name: stage.name,
      task: stage.task,
      matrix: stage.matrix,
      params: isRecord(stage.params) ? stage.params : {},
      metrics,
      state: stage.state,
      reason: stage.reason,
      ...production(journal, stage),
      outPath: stage.outPath,
      metricsError: error,
    });
  }
  return rows;
}

async function readHeadline(
  headline: Headline | undefined,
  outPath: string | null,
): Promise<{ metrics: Record<string, number | null>; error: string | null }> {
  if (!headline || !outPath) return { metrics: {}, error: null };
  const path = join(outPath, headline.file);
  let content: unknown;
  try {
    content = JSON.parse(await Deno.readTextFile(path));
  } catch (error) {
    const why = error instanceof SyntaxError ? "is not valid JSON" : "cannot be read";
    return { metrics: {}, error: `"${path}" ${why}: ${(error as Error).message}` };
  }
  return { metrics: headline.read(content), error: null };
}

/** The duration and run of the attempt that produced a stage's result. */
function production(
  journal: JournalReader,
  stage: StageRecord,
): { durationMs: number | null; producedBy: string | null } {
  if (stage.state !== "cached") {
    const ran = stage.state !== "pending" && stage.state !== "skipped";
    return { durationMs: durationOf(stage), producedBy: ran ? stage.runId : null };
  }
  const last = stage.key ? journal.lastOutcomeOfKey(stage.key) : undefined;
  if (last?.state !== "succeeded") return { durationMs: null, producedBy: null };
  const producer = journal.getStage(last.runId, stage.id);
  return { durationMs: producer ? durationOf(producer) : null, producedBy: last.runId };
}

function durationOf(stage: StageRecord): number | null {
  return stage.startedAt !== null && stage.endedAt !== null
    ? Math.max(0, stage.endedAt - stage.startedAt)
    : null;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}
