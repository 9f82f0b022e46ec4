/**
 * The task registry: every task a pipeline can name in `task:`.
 * Add a task by importing its module here; the engine reads nothing else.
 */
import type { Task } from "../lib/task.ts";
import average from "./average.ts";
import backbone from "./backbone.ts";
import download from "./download.ts";
import evaluate from "./evaluate.ts";
import extractFeatures from "./extract_features.ts";
import finetune from "./finetune.ts";
import imageFolder from "./image_folder.ts";
import mnistDomains from "./mnist_domains.ts";
import pretrain from "./pretrain.ts";
import report from "./report.ts";
import shell from "./shell.ts";

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
