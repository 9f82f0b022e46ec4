/**
 * Whole-network fine-tuning survives `kill -9`: a pipeline fine-tuning a tiny
 * ResNet (DomainBed augmentation, dropout, BatchNorm statistics frozen) is
 * killed - the whole process tree - after its first checkpoint; a plain
 * re-run resumes from that checkpoint and publishes outputs byte-identical
 * to an uninterrupted run's: the same weights, metrics and summary.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { finish, killTree, tempProject } from "../engine/_project.ts";
import { outputDir, type StatusJson } from "./_report_table.ts";
import { writeTinyDataset, writeTinyResNet } from "../../tasks/finetune/_network_fixtures.ts";
import { readTree } from "../../tasks/_testing/fixtures.ts";

const dataset = await writeTinyDataset({ channels: 3, size: 10, perDomain: 30 });
const backbone = await writeTinyResNet();
const STEPS = 60;
const PIPELINE = `name: kill
stages:
  finetune:
    task: finetune
    with:
      backbone: ${backbone}
      dataset: ${dataset}
      test_domains: sketch
      dropout: 0.9
      lr: 0.02
      weight_decay: 0.0001
      lr_decay: { at: [30] }
      batch_size: 6
      steps: ${STEPS}
      eval_every: 10
`;

/** The step of the first checkpoint after training started (step 0 is saved before it). */
async function firstCheckpoint(cache: string, child: Deno.ChildProcess): Promise<number> {
  let exited = false;
  child.status.then(() => exited = true);
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline && !exited) {
    for (
      const dir of await Array.fromAsync(Deno.readDir(join(cache, "checkpoints"))).catch(() => [])
    ) {
      const json = await Deno.readTextFile(join(cache, "checkpoints", dir.name, "checkpoint.json"))
        .catch(() => null);
      const step = json ? JSON.parse(json).step : 0;
      if (step > 0) return step;
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(exited ? "The run ended before a checkpoint appeared" : "No checkpoint in time");
}

/** The text of every attempt log under `dir` (logs/<run>/<seq>.log). */
async function attemptLogs(dir: string): Promise<string[]> {
  const texts: string[] = [];
  for await (const run of Deno.readDir(dir)) {
    for await (const file of Deno.readDir(join(dir, run.name))) {
      // Beside the logs: metrics JSONL, and the TensorBoard and plots exports' directories.
      if (!file.isFile || !file.name.endsWith(".log")) continue;
      texts.push(await Deno.readTextFile(join(dir, run.name, file.name)));
    }
  }
  return texts;
}

async function published(
  project: { run: (...a: string[]) => Promise<{ stdout: string }>; cache: string },
) {
  const status = JSON.parse((await project.run("status", "--json", "p.yaml")).stdout) as StatusJson;
  return outputDir(project.cache, status.stages[0]!.key!);
}

Deno.test("finetune of a ResNet killed with kill -9 resumes to byte-identical outputs", async () => {
  await using whole = await tempProject({ "p.yaml": PIPELINE });
  const uninterrupted = await whole.run("run", "p.yaml");
  assert.equal(uninterrupted.code, 0, uninterrupted.stdout + uninterrupted.stderr);

  await using killed = await tempProject({ "p.yaml": PIPELINE });
  const child = killed.spawn("run", "p.yaml");
  const step = await firstCheckpoint(killed.cache, child);
  killTree(child.pid);
  assert.equal((await finish(child)).code, 137);
  assert.ok(step > 0 && step < STEPS, `killed mid-training (checkpoint at step ${step})`);

  const resumed = await killed.run("run", "p.yaml");
  assert.equal(resumed.code, 0, resumed.stdout + resumed.stderr);
  const logs = await attemptLogs(join(killed.cache, "logs"));
  assert.ok(
    logs.some((text) => text.includes(`Resuming from the checkpoint at step ${step}`)),
    "the re-run continued from the checkpoint instead of starting over",
  );
  const [a, b] = [await readTree(await published(whole)), await readTree(await published(killed))];
  assert.deepEqual([...b.keys()].sort(), [...a.keys()].sort());
  for (const [path, bytes] of a) assert.deepEqual(b.get(path), bytes, `${path} differs`);
  const metrics = new TextDecoder().decode(b.get("metrics.jsonl")!).trim().split("\n");
  assert.equal(JSON.parse(metrics.at(-1)!).step, STEPS);
});
