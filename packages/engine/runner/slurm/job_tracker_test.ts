import assert from "node:assert/strict";
import { JobTracker, nextPollMs } from "./job_tracker.ts";

const TIMINGS = {
  exitFileWaitMs: 60_000,
  failedExitFileWaitMs: 3_000,
  unseenMs: 10_000,
  endStateWaitMs: 5_000,
};

function tracker() {
  const t = new JobTracker(TIMINGS);
  t.track({ jobId: "1", name: "dropline.r1", resources: {}, stages: ["a", "b"] }, 0);
  t.track({ jobId: "2", name: "dropline.r1", resources: {}, stages: ["c"] }, 0);
  return t;
}

Deno.test("JobTracker lists each run tag once for one squeue query", () => {
  const t = tracker();
  t.track({ jobId: "9", name: "dropline.r0", resources: {}, stages: ["d"] }, 0, {
    jobId: "9",
    state: "RUNNING",
  });
  assert.deepEqual(t.names(), ["dropline.r0", "dropline.r1"]);
});

Deno.test("JobTracker reports a change of state, reason or node once", () => {
  const t = tracker();
  const first = t.observe([
    { jobId: "1", state: "PENDING", reason: "Resources" },
    { jobId: "2", state: "PENDING", reason: "Resources" },
  ], 100);
  assert.deepEqual(first.changed.map((j) => j.jobId), ["1", "2"]);
  const same = t.observe([
    { jobId: "1", state: "PENDING", reason: "Resources" },
    { jobId: "2", state: "PENDING", reason: "Priority" },
  ], 200);
  assert.deepEqual(same.changed.map((j) => j.jobId), ["2"]);
  const running = t.observe([
    { jobId: "1", state: "RUNNING", node: "n1" },
    { jobId: "2", state: "PENDING", reason: "Priority" },
  ], 300);
  assert.deepEqual(running.changed.map((j) => [j.jobId, j.observed?.state]), [["1", "RUNNING"]]);
});

Deno.test("JobTracker follows a job whose stages all reported until it ends", () => {
  const t = tracker();
  t.resolve("1", "a", 0);
  t.resolve("1", "b", 0);
  assert.equal(t.size, 2);
  t.observe([{ jobId: "1", state: "RUNNING" }, { jobId: "2", state: "RUNNING" }], 100);
  assert.deepEqual(t.expire(100), []);
  assert.equal(t.size, 2, "still running: its end state is still to come");
  const { changed } = t.observe([{ jobId: "1", state: "COMPLETED" }, {
    jobId: "2",
    state: "RUNNING",
  }], 200);
  assert.deepEqual(changed.map((j) => [j.jobId, j.observed?.state]), [["1", "COMPLETED"]]);
  assert.deepEqual(t.expire(200), [], "nothing left to settle");
  assert.equal(t.get("1"), undefined);
  assert.equal(t.size, 1);
});

Deno.test("JobTracker stops waiting for the end state of a reported job after endStateWaitMs", () => {
  const t = tracker();
  t.resolve("1", "a", 1_000);
  t.resolve("1", "b", 1_000);
  t.observe([{ jobId: "1", state: "RUNNING" }, { jobId: "2", state: "RUNNING" }], 1_000);
  assert.deepEqual(t.expire(5_999), []);
  assert.ok(t.get("1"), "still within endStateWaitMs");
  assert.deepEqual(t.expire(6_000), []);
  assert.equal(t.get("1"), undefined, "a worker that does not exit does not hold the run");
  assert.ok(t.get("2"), "a job with a stage to report is followed on");
});

Deno.test("JobTracker waits longer for exit files after COMPLETED than after a failure", () => {
  const t = tracker();
  t.observe([
    { jobId: "1", state: "COMPLETED", node: "n1" },
    { jobId: "2", state: "OUT_OF_MEMORY", node: "n1" },
  ], 1_000);
  assert.deepEqual(t.expire(3_999).map((j) => j.jobId), []);
  assert.deepEqual(t.expire(4_000).map((j) => j.jobId), ["2"]);
  assert.deepEqual(t.expire(60_999).map((j) => j.jobId), []);
  assert.deepEqual(t.expire(61_000).map((j) => j.jobId), ["1"]);
  assert.equal(t.size, 0);
});

Deno.test("JobTracker marks a job that left the queue unseen, and takes sacct's answer", () => {
  const t = tracker();
  t.observe([{ jobId: "1", state: "RUNNING" }, { jobId: "2", state: "RUNNING" }], 0);
  const { vanished } = t.observe([{ jobId: "2", state: "RUNNING" }], 500);
  assert.deepEqual(vanished.map((j) => j.jobId), ["1"]);
  assert.equal(t.get("1")!.vanished, true);
  // Reported once, not on every later poll.
  assert.deepEqual(t.observe([{ jobId: "2", state: "RUNNING" }], 900).vanished, []);
  t.settle({ jobId: "1", state: "NODE_FAIL", reason: "NodeDown" });
  assert.equal(t.get("1")!.vanished, false);
  assert.deepEqual(t.expire(3_500).map((j) => [j.jobId, j.observed?.state]), [["1", "NODE_FAIL"]]);
});

Deno.test("JobTracker takes back a job listed again after it seemed gone", () => {
  const t = tracker();
  t.observe([{ jobId: "1", state: "RUNNING" }, { jobId: "2", state: "RUNNING" }], 0);
  assert.deepEqual(t.observe([{ jobId: "2", state: "RUNNING" }], 100).vanished.length, 1);
  t.observe([{ jobId: "1", state: "RUNNING" }, { jobId: "2", state: "RUNNING" }], 200);
  assert.equal(t.get("1")!.vanished, false);
  assert.deepEqual(t.expire(1_000_000), []);
});

Deno.test("JobTracker gives a job squeue never listed some time before calling it gone", () => {
  const t = tracker();
  assert.deepEqual(t.observe([], 9_000).vanished, []);
  assert.deepEqual(t.observe([], 10_001).vanished.map((j) => j.jobId), ["1", "2"]);
  // Unknown end: the long wait applies.
  assert.deepEqual(t.expire(20_000), []);
  assert.equal(t.expire(70_001).length, 2);
});

Deno.test("nextPollMs() backs off while nothing happens and snaps back on news", () => {
  const limits = { minMs: 500, maxMs: 30_000 };
  const delays = [500];
  for (let i = 0; i < 12; i++) delays.push(nextPollMs(delays.at(-1)!, false, limits));
  assert.deepEqual(delays.slice(0, 5), [500, 750, 1125, 1688, 2532]);
  assert.equal(delays.at(-1), 30_000);
  assert.equal(nextPollMs(30_000, true, limits), 500);
});
