/**
 * A stage attempt's metrics in the formats other tools read, written beside
 * its log (`logs/<run>/`) as the task logs them:
 *
 * - `tensorboard/<stage id>/events.out.tfevents.<time>.<host>`: appended
 *   record by record, so `tensorboard --logdir cache/logs` follows a run live;
 * - `plots/<stage id>.csv`: one row per record, `step` first, written when the
 *   attempt ends - what `dvc plots show` and spreadsheets read.
 *
 * Not in the stage's output: wall times would make outputs differ run to run.
 */
import { dirname, join } from "../util/posix_path.ts";
import { concatBytes } from "../util/concat_bytes.ts";
import { fileVersionRecord, scalarRecord } from "./tfevents.ts";

/** Where one attempt's exported metrics go. */
export interface MetricsExportPaths {
  /** The TensorBoard event file. */
  events: string;
  /** The DVC plots CSV. */
  plots: string;
}

/**
 * The export paths of an attempt, from its log path and stage id.
 *
 * @example
 * ```ts
 * metricsExportPaths("/c/logs/r1/3.log", "train[p=0.9]", 1764662400, "node1");
 * // { events: "/c/logs/r1/tensorboard/train[p=0.9]/events.out.tfevents.1764662400.node1",
 * //   plots: "/c/logs/r1/plots/train[p=0.9].csv" }
 * ```
 */
export function metricsExportPaths(
  logPath: string,
  stageId: string,
  startedSeconds: number,
  host: string,
): MetricsExportPaths {
  const dir = dirname(logPath);
  const name = stageId.replaceAll("/", "_");
  return {
    events: join(dir, "tensorboard", name, `events.out.tfevents.${startedSeconds}.${host}`),
    plots: join(dir, "plots", `${name}.csv`),
  };
}

/**
 * Appends one metrics record to a TensorBoard event file, starting the file
 * (and its directory) with the version record when it does not exist yet.
 */
export function appendEvent(path: string, record: Record<string, number>, wallTime: number): void {
  const { step, ...scalars } = record;
  let start: Uint8Array | undefined;
  try {
    Deno.statSync(path);
  } catch {
    Deno.mkdirSync(dirname(path), { recursive: true });
    start = fileVersionRecord(wallTime);
  }
  const event = scalarRecord(step ?? 0, wallTime, scalars);
  Deno.writeFileSync(path, start ? concatBytes([start, event]) : event, { append: true });
}

/**
 * Metrics records as CSV: `step`, then every other name in first-seen order;
 * a record without a name leaves its cell empty.
 *
 * @example
 * ```ts
 * plotsCsv([{ step: 0, loss: 2 }, { step: 10, loss: 1, val_acc: 0.5 }]);
 * // "step,loss,val_acc\n0,2,\n10,1,0.5\n"
 * ```
 */
export function plotsCsv(records: readonly Record<string, number>[]): string {
  const names = ["step", ...new Set(records.flatMap((r) => Object.keys(r)))].filter((name, i) =>
    name !== "step" || i === 0
  );
  const lines = [names.join(","), ...records.map((r) => names.map((n) => r[n] ?? "").join(","))];
  return lines.join("\n") + "\n";
}

/** Writes the plots CSV of an attempt's metrics JSONL; nothing when it logged none. */
export async function writePlots(metricsJsonl: string, csvPath: string): Promise<void> {
  let text: string;
  try {
    text = await Deno.readTextFile(metricsJsonl);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return;
    throw error;
  }
  const records = text.split("\n").filter((line) => line.trim() !== "").flatMap((line) => {
    try {
      return [JSON.parse(line) as Record<string, number>];
    } catch {
      return []; // A line cut short by a killed attempt.
    }
  });
  if (records.length === 0) return;
  await Deno.mkdir(dirname(csvPath), { recursive: true });
  await Deno.writeTextFile(csvPath, plotsCsv(records));
}
