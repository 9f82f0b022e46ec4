/**
 * The scheduling policy as a small state machine over stage ids: which stages
 * may start now (those whose upstream all succeeded), and what a failure does
 * to the rest. Pure; the executor drives it.
 *
 * How many stages execute at once is not decided here: a started stage is
 * first keyed and looked up, and most stages of a no-op run end there. Only
 * an execution takes one of `--jobs` slots (`util/semaphore.ts`), so reuse
 * never queues behind running stages.
 */
import type { GraphNode } from "../pipeline/graph.ts";

/**
 * Why a stage did not start after `failedId` failed without `--keep-going`:
 * one wording wherever it is decided (here, the Slurm executor, a job's worker).
 */
export function failFastReason(failedId: string): string {
  return `not started: the run stopped after "${failedId}" failed`;
}

/** Where a stage is in the run. */
export type SlotState = "waiting" | "running" | "done" | "failed" | "skipped";

/** What happens after a failure. */
export type FailurePolicy = "fail-fast" | "keep-going";

/** Tracks stage states and hands out ready stages in topological order. */
export class Scheduler {
  readonly states = new Map<string, SlotState>();
  /** Why each skipped stage was skipped. */
  readonly skipReasons = new Map<string, string>();
  #blockers = new Map<string, number>();
  #downstream = new Map<string, string[]>();
  #ready: string[] = [];
  #running = 0;
  #stopReason: string | undefined;
  #policy: FailurePolicy;

  /** `nodes` must be in topological order. */
  constructor(nodes: readonly GraphNode[], policy: FailurePolicy) {
    this.#policy = policy;
    for (const node of nodes) {
      this.states.set(node.id, "waiting");
      this.#blockers.set(node.id, node.upstream.length);
      this.#downstream.set(node.id, []);
      for (const up of node.upstream) this.#downstream.get(up)!.push(node.id);
      if (node.upstream.length === 0) this.#ready.push(node.id);
    }
  }

  /** Every stage that may start now, in topological order; marks them running. */
  take(): string[] {
    if (this.#stopReason !== undefined) return [];
    const started = this.#ready.splice(0);
    for (const id of started) this.states.set(id, "running");
    this.#running += started.length;
    return started;
  }

  /** A stage finished with its result available downstream. */
  succeed(id: string): void {
    this.#finish(id, "done");
    for (const next of this.#downstream.get(id)!) {
      const left = this.#blockers.get(next)! - 1;
      this.#blockers.set(next, left);
      if (left === 0 && this.states.get(next) === "waiting") this.#ready.push(next);
    }
  }

  /** A stage failed: skip its descendants, and with fail-fast stop starting stages. */
  fail(id: string): void {
    this.#finish(id, "failed");
    const stack = [...this.#downstream.get(id)!];
    while (stack.length > 0) {
      const next = stack.pop()!;
      if (this.states.get(next) !== "waiting") continue;
      this.states.set(next, "skipped");
      this.skipReasons.set(next, `upstream "${id}" failed`);
      stack.push(...this.#downstream.get(next)!);
    }
    if (this.#policy === "fail-fast") {
      this.stop(failFastReason(id));
    }
  }

  /** Starts nothing more; every waiting stage is skipped with `reason`. */
  stop(reason: string): void {
    this.#stopReason ??= reason;
    this.#ready = [];
    for (const [id, state] of this.states) {
      if (state === "waiting") {
        this.states.set(id, "skipped");
        this.skipReasons.set(id, reason);
      }
    }
  }

  /** Why the run stopped starting stages; undefined while it has not. */
  get stopReason(): string | undefined {
    return this.#stopReason;
  }

  /** True while anything runs or may still start. */
  get active(): boolean {
    return this.#running > 0 || this.#ready.length > 0;
  }

  get running(): number {
    return this.#running;
  }

  #finish(id: string, state: SlotState): void {
    if (this.states.get(id) === "running") this.#running--;
    this.states.set(id, state);
  }
}
