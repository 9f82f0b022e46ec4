import assert from "node:assert/strict";
import { type ProgressState, renderProgressFrame, runEta, stageEta } from "./progress_frame.ts";

const STATE: ProgressState = {
  pipeline: "rotated_mnist",
  total: 110,
  ran: 14,
  cached: 3,
  failed: 0,
  skipped: 0,
  startedAt: 0,
  ranMs: [40_000, 44_000],
  running: [
    {
      id: "finetune[test_domain=0,dropout=0.9,seed=1]",
      since: 100_000,
      first: { at: 102_000, done: 0 },
      latest: {
        at: 112_000,
        progress: { done: 200, total: 600, unit: "steps", note: "loss 0.41" },
      },
    },
    {
      id: "features[test_domain=15]",
      since: 110_000,
      latest: { at: 111_000, progress: { done: 3000, unit: "images" } },
    },
    { id: "pretrain[test_domain=30]", since: 113_000 },
  ],
};

Deno.test("renderProgressFrame() draws done/total, ETA, and a bar and ETA per running stage (TTY snapshot)", () => {
  const frame = renderProgressFrame(STATE, { now: 114_000, columns: 140 });
  assert.equal(
    frame,
    [
      "rotated_mnist  17/110 stages  (14 ran, 3 cached, 3 running)  1 min 54 s  ETA ~21 min 18 s",
      "  ⟳ finetune[test_domain=0,dropout=0.9,seed=1]  ███████░░░░░░░░░░░░░  33%  200/600 steps  14.0 s  ETA 18.0 s  loss 0.41",
      "  ⟳ features[test_domain=15]                    3000 images  4.0 s",
      "  ⟳ pretrain[test_domain=30]                    1.0 s",
    ].join("\n"),
  );
});

Deno.test("renderProgressFrame() cuts lines to the terminal width and counts hidden stages", () => {
  const frame = renderProgressFrame(STATE, { now: 114_000, columns: 40, maxStages: 1 });
  const lines = frame.split("\n");
  assert.equal(lines.length, 3);
  assert.ok(lines.every((line) => [...line].length <= 40), frame);
  assert.equal(lines[0], "rotated_mnist  17/110 stages  (14 ran, …");
  assert.equal(lines[2], "  … and 2 more running");
});

Deno.test("stageEta() extrapolates from the reports' rate, not from start-up", () => {
  const stage = STATE.running[0]!;
  // 200 steps in 10 s since the first report: 400 more take 20 s, 2 s of which passed.
  assert.equal(stageEta(stage, 114_000), 18_000);
  assert.equal(stageEta(stage, 200_000), 0);
  assert.equal(stageEta(STATE.running[1]!, 114_000), null, "no total");
  assert.equal(stageEta({ id: "x", since: 0 }, 1), null, "no report yet");
});

Deno.test("runEta() waits for a stage to finish, then spreads the rest over the running lanes", () => {
  assert.equal(runEta({ ...STATE, ranMs: [] }, 114_000), null);
  // 90 waiting stages at the 42 s mean over 3 lanes, after the first lane frees: finetune's
  // 18 s ETA (features has 42 - 4 = 38 s left at the mean, pretrain 41 s).
  assert.equal(runEta(STATE, 114_000), (90 * 42_000) / 3 + 18_000);
  const last = { ...STATE, total: 18, running: STATE.running.slice(0, 1) };
  assert.equal(runEta(last, 114_000), 18_000, "nothing waiting: the running stage's ETA");
});
