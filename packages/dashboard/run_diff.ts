/**
 * What changed between two runs, from their sweep rows: parameters that
 * differ (grouped: one line for `lr 0.01 -> 0.02` in 100 stages), headline
 * metrics that differ, the stages the newer run re-ran and why, and stages
 * only one of them has. Pure.
 */
import { flattenParams, type SweepRow } from "@dropline/engine";
import { valueText } from "./sweep_view.ts";

/** One parameter change, with every stage it happened in. */
export interface ParamChange {
  param: string;
  a: string;
  b: string;
  stages: string[];
}

/** A headline metric that differs between the runs for one stage. */
export interface MetricChange {
  stage: string;
  metric: string;
  a: number | null;
  b: number | null;
}

/** A stage the second run executed rather than reused. */
export interface Rerun {
  stage: string;
  state: string;
  reason: string;
}

/** The differences between run A and run B. */
export interface RunDiff {
  params: ParamChange[];
  metrics: MetricChange[];
  reran: Rerun[];
  onlyA: string[];
  onlyB: string[];
  /** Stages in both runs. */
  common: number;
}

/** States in which a run executed a stage (or tried to) rather than reusing it. */
const EXECUTED = new Set(["succeeded", "failed", "running", "interrupted"]);

function paramChanges(pairs: Array<[SweepRow, SweepRow]>): ParamChange[] {
  const changes = new Map<string, ParamChange>();
  for (const [a, b] of pairs) {
    const pa = flattenParams(a.params);
    const pb = flattenParams(b.params);
    for (const param of new Set([...Object.keys(pa), ...Object.keys(pb)])) {
      const [ta, tb] = [valueText(pa[param]), valueText(pb[param])];
      if (ta === tb) continue;
      const id = JSON.stringify([param, ta, tb]);
      const change = changes.get(id) ?? { param, a: ta, b: tb, stages: [] };
      change.stages.push(b.stage);
      changes.set(id, change);
    }
  }
  return [...changes.values()];
}

function metricChanges(pairs: Array<[SweepRow, SweepRow]>): MetricChange[] {
  return pairs.flatMap(([a, b]) => {
    const names = new Set([...Object.keys(a.metrics), ...Object.keys(b.metrics)]);
    return [...names].flatMap((metric) => {
      const [va, vb] = [a.metrics[metric] ?? null, b.metrics[metric] ?? null];
      return va === vb ? [] : [{ stage: b.stage, metric, a: va, b: vb }];
    });
  });
}

/**
 * Compares two runs' rows (of the same pipeline or two versions of it).
 *
 * @example
 * ```ts
 * const diff = diffRuns(await readSweep(j, a, o), await readSweep(j, b, o));
 * diff.params; // [{ param: "lr", a: "0.01", b: "0.02", stages: ["train"] }]
 * ```
 */
export function diffRuns(a: readonly SweepRow[], b: readonly SweepRow[]): RunDiff {
  const byStage = new Map(a.map((row) => [row.stage, row]));
  const inB = new Set(b.map((row) => row.stage));
  const pairs: Array<[SweepRow, SweepRow]> = b.flatMap((row) => {
    const other = byStage.get(row.stage);
    return other ? [[other, row] as [SweepRow, SweepRow]] : [];
  });
  return {
    params: paramChanges(pairs),
    metrics: metricChanges(pairs),
    reran: b.filter((row) => EXECUTED.has(row.state))
      .map((row) => ({ stage: row.stage, state: row.state, reason: row.reason })),
    onlyA: a.filter((row) => !inB.has(row.stage)).map((row) => row.stage),
    onlyB: b.filter((row) => !byStage.has(row.stage)).map((row) => row.stage),
    common: pairs.length,
  };
}
