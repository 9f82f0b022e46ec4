/**
 * The task registry: every task a pipeline can name in `task:`.
 * Add a task by importing its module here; the engine reads nothing else.
 */
import type { Task } from "@dropline/task";
import average from "./average/mod.ts";
import backbone from "./backbone/mod.ts";
import download from "./download/mod.ts";
import evaluate from "./evaluate/mod.ts";
import extractFeatures from "./extract_features/mod.ts";
import finetune from "./finetune/mod.ts";
import imageFolder from "./image_folder/mod.ts";
import mnistDomains from "./mnist_domains/mod.ts";
import pretrain from "./pretrain/mod.ts";
import report from "./report/mod.ts";
import shell from "./shell/mod.ts";

export type { ExtractParams } from "./extract_features/mod.ts";

/** All built-in tasks, by name. */
export const TASKS: ReadonlyMap<string, Task> = new Map(
  [
    shell,
    download,
    imageFolder,
    mnistDomains,
    pretrain,
    backbone,
    extractFeatures,
    finetune,
    average,
    evaluate,
    report,
  ].map((task) => [task.name, task]),
);
