import assert from "node:assert/strict";
import { loadCheckpoint, saveCheckpoint } from "./checkpoint.ts";
import { initHead } from "./dense_head.ts";
import { headTrainable } from "./head_trainable.ts";
import { Prng } from "../prng.ts";
import { syntheticFeatures } from "./synthetic_features.ts";
import { type TrainConfig, trainLoop, type TrainState } from "./train_loop.ts";

const data = syntheticFeatures({
  dimension: 128,
  classes: 4,
  domains: ["a", "b", "c", "d"],
  perDomain: 150,
  noise: 3,
});
const rows = { ...data, domainNames: data.domainNames };
const roles = { trainDomains: [0, 1, 2], testDomains: [3] };

function config(overrides: Partial<TrainConfig> = {}): TrainConfig {
  return {
    steps: 120,
    evalEvery: 30,
    logEvery: 10,
    batchPerDomain: 16,
    dropout: 0.9,
    schedule: { kind: "constant" },
    lr: { lr: 0.01, at: [90], factor: 0.1 },
    optimizer: { kind: "sgd", momentum: 0.9, weightDecay: 1e-4 },
    seed: 3,
    ...overrides,
  };
}

const freshHead = () => initHead({ inputDim: 128, hidden: [], classes: 4 }, Prng.fromSeed(0));

Deno.test("trainLoop() with dropout 0.9 fits separable features and generalises to a new domain", async () => {
  const state = await trainLoop(headTrainable(freshHead(), rows, roles), config());
  const last = state.records.at(-1)!;
  assert.ok(last.val_acc! > 0.9, `validation accuracy ${last.val_acc}`);
  assert.ok(last.test_acc! > 0.85, `test accuracy ${last.test_acc}`);
  assert.equal(last.dropout, 0.9);
  assert.ok(Math.abs(last.lr! - 0.001) < 1e-12, "lr decayed at step 90");
});

async function runWithCheckpoints(dir: string, stopAt?: number): Promise<TrainState | "stopped"> {
  const controller = new AbortController();
  try {
    return await trainLoop(headTrainable(freshHead(), rows, roles), config(), {
      resume: await loadCheckpoint(dir),
      save: (state) => saveCheckpoint(dir, state),
      progress: (step) => {
        if (step === stopAt) controller.abort();
      },
      signal: controller.signal,
    });
  } catch (error) {
    if (controller.signal.aborted) return "stopped";
    throw error;
  }
}

Deno.test("trainLoop() resumed from a checkpoint ends exactly as an uninterrupted run", async () => {
  const whole = await runWithCheckpoints(await Deno.makeTempDir());
  const dir = await Deno.makeTempDir();
  assert.equal(await runWithCheckpoints(dir, 50), "stopped"); // stops between checkpoints 30 and 60
  assert.equal((await loadCheckpoint(dir))!.step, 30);
  assert.equal(await runWithCheckpoints(dir, 100), "stopped");
  const resumed = await runWithCheckpoints(dir);
  assert.ok(whole !== "stopped" && resumed !== "stopped");
  assert.deepEqual(resumed.params, whole.params);
  assert.deepEqual(resumed.best, whole.best);
  assert.deepEqual(resumed.records, whole.records);
  assert.deepEqual(resumed.rng, whole.rng);
});

Deno.test("trainLoop() keeps the checkpoint with the best training-domain validation", async () => {
  const scripted = [0.2, 0.5, 0.9, 0.7, 0.9, 0.4]; // steps 0, 10, ..., 50
  let evaluations = 0;
  const params = [new Float32Array([0])];
  const state = await trainLoop({
    params,
    infos: [{ size: 1, role: "head" }],
    pools: [new Int32Array([0])],
    gradients: () => ({ loss: 1, correct: 0, grads: [new Float32Array([-1])] }),
    evaluate: () => ({ val: scripted[evaluations++]!, metrics: {} }),
  }, config({ steps: 50, evalEvery: 10, optimizer: { kind: "sgd", momentum: 0 }, lr: { lr: 1 } }));
  assert.equal(state.best!.step, 20, "earliest of the tied best");
  assert.equal(state.best!.val, 0.9);
  assert.deepEqual(Array.from(state.best!.params[0]!), [20], "weights as they were at step 20");
  assert.deepEqual(Array.from(params[0]!), [50]);
});
