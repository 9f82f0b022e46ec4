/** The backbone path of `finetune` (placeholder until written). */
import type { TaskContext } from "../lib/task.ts";
import { TaskError } from "../lib/task.ts";
import type { FinetuneParams } from "./_finetune_params.ts";

export function finetuneNetwork(_ctx: TaskContext<FinetuneParams>): Promise<void> {
  return Promise.reject(new TaskError("Backbone fine-tuning is not available yet"));
}
