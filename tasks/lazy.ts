/**
 * The task registry without loading it: every task's name, and a loader that
 * imports only the tasks a pipeline names. Task modules and their schemas are
 * most of the CLI's start-up, so a pipeline of shell stages starts about twice
 * as fast. `lazy_test.ts` checks that this lists exactly the tasks of `mod.ts`.
 *
 * @example
 * ```ts
 * const tasks = await loadTasks(["shell"]); // Map { "shell" => Task }
 * ```
 * @module
 */
import type { Task } from "@dropline/task";

/** Every built-in task's name (each lives in `tasks/<name>/mod.ts`). */
export const TASK_NAMES: readonly string[] = [
  "shell",
  "download",
  "image_folder",
  "mnist_domains",
  "pretrain",
  "backbone",
  "extract_features",
  "finetune",
  "average",
  "evaluate",
  "report",
];

/**
 * The named built-in tasks, imported on demand; unknown names are left out.
 *
 * @example
 * ```ts
 * (await loadTasks(["shell", "nope"])).size; // 1
 * ```
 */
export async function loadTasks(names: Iterable<string>): Promise<Map<string, Task>> {
  const wanted = [...new Set(names)].filter((name) => TASK_NAMES.includes(name));
  const tasks = await Promise.all(
    // A computed URL keeps the modules out of the start-up module graph.
    wanted.map(async (name) => {
      const url = new URL(`./${name}/mod.ts`, import.meta.url).href;
      return (await import(url)).default as Task;
    }),
  );
  return new Map(tasks.map((task) => [task.name, task]));
}
