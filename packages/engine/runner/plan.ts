/**
 * The plan: for every stage, its key (when knowable without running
 * anything), whether its result is stored, and why. Used by `status`,
 * `why` and `run --dry-run`; reads the store and journal, writes nothing.
 */
import type { JournalHistory } from "../journal/history.ts";
import type { StageGraph } from "../pipeline/compile.ts";
import { CacheError } from "../store/cache_error.ts";
import { FileDigests } from "../store/file_digests.ts";
import type { Store } from "../store/store.ts";
import { type PreparedStage, prepareStage } from "./prepare_stage.ts";

/** One stage in the plan. */
export interface PlannedStage {
  id: string;
  /** Null when an upstream must run first (its output digest is part of the key). */
  key: string | null;
  action: "reuse" | "run";
  reason: string;
  prepared?: PreparedStage;
}

/**
 * Plans every stage in topological order.
 *
 * @example
 * ```ts
 * const journal = new JournalReader("cache");
 * for (const s of await planPipeline(pipeline, store, journal, new Set())) console.log(s.id, s.reason);
 * ```
 */
export async function planPipeline(
  pipeline: StageGraph,
  store: Store,
  history: JournalHistory | undefined,
  forced: ReadonlySet<string>,
): Promise<PlannedStage[]> {
  const files = new FileDigests(history?.fileStats, store.layout.root);
  const digests = new Map<string, string>();
  const plan: PlannedStage[] = [];
  for (const stage of pipeline.stages) {
    const waiting = stage.upstream.filter((up) => !digests.has(up));
    if (waiting.length > 0) {
      const shown = waiting.slice(0, 3).map((w) => `"${w}"`).join(", ") +
        (waiting.length > 3 ? ", ..." : "");
      plan.push({
        id: stage.id,
        key: null,
        action: "run",
        reason: `waits for upstream ${shown} to run`,
      });
      continue;
    }
    let prepared: PreparedStage;
    try {
      prepared = await prepareStage(stage, {
        pipeline,
        store,
        files,
        ...(history ? { history } : {}),
        forced: forced.has(stage.id),
        upstreamDigests: digests,
      });
    } catch (error) {
      // A damaged or unusable journal is no stage's problem: the command stops with its message.
      if (error instanceof CacheError) throw error;
      plan.push({ id: stage.id, key: null, action: "run", reason: (error as Error).message });
      continue;
    }
    if (prepared.decision.action === "reuse" && prepared.found.state === "present") {
      digests.set(stage.id, prepared.found.manifest.digest);
    }
    plan.push({ id: stage.id, key: prepared.key, ...prepared.decision, prepared });
  }
  return plan;
}
