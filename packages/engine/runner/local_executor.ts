/**
 * The local executor: runs each stage on this machine, in this process or a
 * child task host, under its key's lock.
 */
import type { Store } from "../store/store.ts";
import { executeStage, type ExecutionResult } from "./execute_stage.ts";
import type { ExecutionHooks, ExecutionRequest, Executor } from "./executor.ts";

/**
 * Runs stages here; `--jobs` defaults to the CPU count.
 *
 * @example
 * ```ts
 * const executor = new LocalExecutor(store);
 * const result = await executor.execute(request, hooks, signal);
 * ```
 */
export class LocalExecutor implements Executor {
  readonly name = "local";
  readonly defaultJobs = navigator.hardwareConcurrency;
  #store: Store;

  constructor(store: Store) {
    this.#store = store;
  }

  execute(
    request: ExecutionRequest,
    hooks: ExecutionHooks,
    signal: AbortSignal,
  ): Promise<ExecutionResult> {
    return executeStage({
      work: request.work,
      task: request.task,
      store: this.#store,
      hooks,
      signal,
      slots: request.slots,
    });
  }

  describe(stage: Pick<ExecutionRequest, "task" | "resources">): string {
    const isolation = stage.task.isolation ?? "process";
    return isolation === "inline" ? "in the runner's process" : "in a task host process";
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
