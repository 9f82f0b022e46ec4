import assert from "node:assert/strict";
import { TASKS } from "./mod.ts";
import { loadTasks, TASK_NAMES } from "./lazy.ts";

Deno.test("TASK_NAMES lists exactly the registry's tasks, and loadTasks() loads them by name", async () => {
  assert.deepEqual([...TASK_NAMES].sort(), [...TASKS.keys()].sort());
  const loaded = await loadTasks([...TASK_NAMES, "nope"]);
  assert.deepEqual([...loaded.keys()].sort(), [...TASKS.keys()].sort());
  for (const [name, task] of loaded) assert.equal(task, TASKS.get(name));
});
