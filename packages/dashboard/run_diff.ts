/**
 * What changed between two runs, as the compare page shows it: the engine's
 * `diffSweeps` with parameter changes grouped (one line for `lr 0.01 -> 0.02`
 * in 100 stages) and headline metrics listed per stage. Pure.
 */
import { diffSweeps, type Rerun, type SweepRow } from "@dropline/engine";
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

function number(value: unknown): number | null {
  return typeof value === "number" ? value : null;
}

/**
 * Compares two runs' rows (of the same pipeline or two versions of it) with
 * the engine's `diffSweeps`, the comparison `deno task diff` prints, and
 * groups its parameter changes for the page.
 *
 * @example
 * ```ts
 * const diff = diffRuns(await readSweep(j, a, o), await readSweep(j, b, o));
 * diff.params; // [{ param: "lr", a: "0.01", b: "0.02", stages: ["train"] }]
 * ```
 */
export function diffRuns(a: readonly SweepRow[], b: readonly SweepRow[]): RunDiff {
  const diff = diffSweeps(a, b);
  const params = new Map<string, ParamChange>();
  for (const change of diff.changed) {
    for (const { key, a: before, b: after } of change.params) {
      const [ta, tb] = [valueText(before), valueText(after)];
      const id = JSON.stringify([key, ta, tb]);
      const group = params.get(id) ?? { param: key, a: ta, b: tb, stages: [] };
      group.stages.push(change.stage);
      params.set(id, group);
    }
  }
  return {
    params: [...params.values()],
    metrics: diff.changed.flatMap((change) =>
      change.metrics.map(({ key, a: before, b: after }) => ({
        stage: change.stage,
        metric: key,
        a: number(before),
        b: number(after),
      }))
    ),
    reran: diff.reran,
    onlyA: diff.onlyA,
    onlyB: diff.onlyB,
    common: b.length - diff.onlyB.length,
  };
}
