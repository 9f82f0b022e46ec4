/**
 * The line protocol between a task host (child process) and the scheduler.
 * Kept apart from `task_host.ts` so that importing the engine never imports
 * the host's entry module: a task host that imports its own entry module
 * while that module's top-level await is pending would wait forever.
 */
import type { Progress } from "@dropline/task";

/** Prefix of event lines on the host's stdout. */
export const EVENT_PREFIX = "\x1e";

/** A message from the task host to the scheduler. */
export type HostEvent =
  | { type: "progress"; progress: Progress }
  | { type: "metric"; record: Record<string, number> }
  | { type: "facts"; facts: Record<string, string | number | boolean> }
  | { type: "error"; message: string; expected: boolean };
