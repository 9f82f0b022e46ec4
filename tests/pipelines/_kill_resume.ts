/**
 * The kill -9 check both MNIST pipeline tests make: start a run in a fresh project, `kill -9`
 * its process tree once a finetune stage has finished, then re-run plainly and check that no
 * published stage ran again, every other one ran once, and the report is the uninterrupted one.
 *
 * @example
 * ```ts
 * await killThenResume({ args: ARGS, stages: 19, distinct: 19, report });
 * ```
 * @module
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { CacheLayout, JournalReader } from "@dropline/engine";
import { finish, killTree, tempProject } from "../engine/_project.ts";
import { outputDir, type StatusJson } from "./_report_table.ts";

/** Keys of the stage outputs published in a cache's store. */
function publishedKeys(cache: string): Set<string> {
  const objects = new CacheLayout(cache).dir("objects");
  if (!existsSync(objects)) return new Set();
  const keys = [...Deno.readDirSync(objects)].flatMap((shard) =>
    [...Deno.readDirSync(join(objects, shard.name))].map((entry) => entry.name)
  );
  return new Set(keys);
}

/** Resolves once the journal records a finished finetune stage; rejects if the run exits. */
async function aFinetuneSucceeded(cache: string, child: Deno.ChildProcess) {
  let exited = false;
  child.status.then(() => exited = true);
  const journal = new JournalReader(cache);
  try {
    while (!exited) {
      const finished = journal.listRuns({ noop: true }).flatMap((run) => journal.listStages(run.id))
        .filter((stage) => stage.name === "finetune" && stage.state === "succeeded");
      if (finished.length >= 1) return;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  } finally {
    journal.close();
  }
  throw new Error("The run exited before it finished any finetune stage");
}

/** Options of {@linkcode killThenResume}. */
export interface KillResumeOptions {
  /** CLI arguments after `run`: the pipeline file and its --set overrides. */
  args: string[];
  /** Stages of the pipeline, and how many of them have distinct keys. */
  stages: number;
  distinct: number;
  /** report.md of an uninterrupted run of the same arguments. */
  report: string;
}

export async function killThenResume(o: KillResumeOptions): Promise<void> {
  await using fresh = await tempProject({});
  const child = fresh.spawn("run", ...o.args);
  await aFinetuneSucceeded(fresh.cache, child);
  killTree(child.pid);
  assert.equal((await finish(child)).code, 137);
  const finished = publishedKeys(fresh.cache);
  assert.ok(finished.size >= 4, "the data, the pretrain and a finetune were published");
  assert.ok(finished.size < o.stages, "the run was killed before the end");

  const resumed = await fresh.run("run", ...o.args);
  assert.equal(resumed.code, 0, resumed.stdout + resumed.stderr);
  const db = fresh.journal();
  try {
    const [run] = db.listRuns();
    const stages = db.listStages(run!.id).map((s) => db.getStage(run!.id, s.id)!);
    assert.equal(stages.length, o.stages);
    const rerun = stages.filter((s) => finished.has(s.key!) && s.state !== "cached");
    assert.deepEqual(rerun, [], "no finished stage ran again");
    const ran = stages.filter((s) => s.state === "succeeded").length;
    assert.equal(ran, o.distinct - finished.size, "every unfinished stage ran once");
  } finally {
    db.close();
  }
  const status = JSON.parse((await fresh.run("status", "--json", ...o.args)).stdout) as StatusJson;
  const key = status.stages.find((s) => s.id === "report")!.key!;
  const resumedReport = await Deno.readTextFile(join(outputDir(fresh.cache, key), "report.md"));
  assert.equal(resumedReport, o.report, "the same results as the uninterrupted run");
}
