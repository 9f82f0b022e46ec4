/**
 * What changed between two runs, stage by stage: params and headline metrics
 * that differ, stages only in one run, and the stages the second run
 * executed rather than reused, with the reason it recorded.
 */
import { canonicalJson } from "../util/canonical_json.ts";
import type { SweepRow } from "./read_sweep.ts";
import { flattenParams } from "./varying_params.ts";

/** One value that differs: `a` in the first run, `b` in the second (undefined: absent). */
export interface ValueChange {
  key: string;
  a: unknown;
  b: unknown;
}

/** A stage present in both runs that differs. */
export interface StageChange {
  stage: string;
  name: string;
  /** Params (dotted keys) whose values differ. */
  params: ValueChange[];
  /** Headline metrics whose values differ. */
  metrics: ValueChange[];
  /** The states, when they differ other than ran/reused (`succeeded` and `cached` are alike). */
  state: { a: string; b: string } | null;
}

/** A stage the second run executed (not reused), and why. */
export interface Rerun {
  stage: string;
  state: string;
  reason: string;
}

/** The difference of two runs' sweep rows. */
export interface SweepDiff {
  /** Stage ids only the first run has. */
  onlyA: string[];
  /** Stage ids only the second run has. */
  onlyB: string[];
  /** Stages in both that differ in params, metrics or state, in the second run's order. */
  changed: StageChange[];
  /** Stages the second run executed instead of reusing, with its reason. */
  reran: Rerun[];
}

/**
 * Compares the rows of two runs by stage id.
 *
 * @example
 * ```ts
 * const diff = diffSweeps(await readSweep(journal, a, opts), await readSweep(journal, b, opts));
 * for (const c of diff.changed) console.log(c.stage, c.params, c.metrics);
 * ```
 */
export function diffSweeps(a: readonly SweepRow[], b: readonly SweepRow[]): SweepDiff {
  const before = new Map(a.map((row) => [row.stage, row]));
  const after = new Set(b.map((row) => row.stage));
  const changed: StageChange[] = [];
  for (const row of b) {
    const old = before.get(row.stage);
    if (!old) continue;
    const params = changes(flattenParams(old.params), flattenParams(row.params));
    const metrics = changes(old.metrics, row.metrics);
    const state = outcome(old.state) === outcome(row.state) ? null : { a: old.state, b: row.state };
    if (params.length || metrics.length || state) {
      changed.push({ stage: row.stage, name: row.name, params, metrics, state });
    }
  }
  return {
    onlyA: a.filter((row) => !after.has(row.stage)).map((row) => row.stage),
    onlyB: b.filter((row) => !before.has(row.stage)).map((row) => row.stage),
    changed,
    reran: b.filter((row) => EXECUTED.has(row.state))
      .map((row) => ({ stage: row.stage, state: row.state, reason: row.reason })),
  };
}

/** States of a stage that executed in its run. */
const EXECUTED = new Set(["succeeded", "failed", "interrupted", "running"]);

/** Ran or reused, a result either way. */
function outcome(state: string): string {
  return state === "cached" ? "succeeded" : state;
}

function changes(a: Record<string, unknown>, b: Record<string, unknown>): ValueChange[] {
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
  return keys
    .filter((key) => canonicalJson(a[key]) !== canonicalJson(b[key]) || (key in a) !== (key in b))
    .map((key) => ({ key, a: a[key], b: b[key] }));
}
