import assert from "node:assert/strict";
import { isRetryable, jobFailure, jobPhase } from "./job_state.ts";

Deno.test("jobPhase() sorts every state Slurm reports", () => {
  for (const state of ["PENDING", "REQUEUED", "SUSPENDED"]) assert.equal(jobPhase(state), "queued");
  for (const state of ["RUNNING", "CONFIGURING", "COMPLETING", "SIGNALING"]) {
    assert.equal(jobPhase(state), "running");
  }
  const ended = [
    "COMPLETED",
    "FAILED",
    "CANCELLED",
    "TIMEOUT",
    "OUT_OF_MEMORY",
    "NODE_FAIL",
    "PREEMPTED",
    "BOOT_FAIL",
    "DEADLINE",
  ];
  for (const state of ended) assert.equal(jobPhase(state), "ended");
});

Deno.test("isRetryable() is true only when the job was lost for reasons outside the stage", () => {
  assert.deepEqual(
    ["NODE_FAIL", "PREEMPTED", "BOOT_FAIL", "FAILED", "TIMEOUT", "OUT_OF_MEMORY", "CANCELLED"]
      .filter(isRetryable),
    ["NODE_FAIL", "PREEMPTED", "BOOT_FAIL"],
  );
});

Deno.test("jobFailure() names the state, the limit and what to change", () => {
  const job = { jobId: "7", node: "n1", resources: { memMiB: 200, timeSeconds: 60 } };
  const cases: [string, string | undefined, string][] = [
    [
      "OUT_OF_MEMORY",
      "OutOfMemory",
      "Slurm job 7 ran out of memory on n1 (OUT_OF_MEMORY with --mem=200M): raise `resources.mem`",
    ],
    [
      "TIMEOUT",
      "TimeLimit",
      "Slurm job 7 reached its time limit on n1 (TIMEOUT with --time=00:01:00): raise `resources.time`",
    ],
    ["NODE_FAIL", "NodeDown", "Slurm job 7 was lost with its node on n1 (NODE_FAIL, NodeDown)"],
    ["PREEMPTED", undefined, "Slurm job 7 was preempted on n1 (PREEMPTED)"],
    [
      "BOOT_FAIL",
      undefined,
      "Slurm job 7 could not start: its node on n1 failed to boot (BOOT_FAIL)",
    ],
    [
      "DEADLINE",
      "DeadLine",
      "Slurm job 7 could not finish before its deadline (DEADLINE, DeadLine)",
    ],
    ["CANCELLED", undefined, "Slurm job 7 was cancelled outside dropline on n1 (CANCELLED)"],
    ["FAILED", "NonZeroExitCode", "Slurm job 7 failed on n1 (FAILED, NonZeroExitCode)"],
    ["REVOKED", undefined, "Slurm job 7 ended REVOKED on n1"],
  ];
  for (const [state, reason, message] of cases) {
    assert.equal(jobFailure({ ...job, state, ...(reason ? { reason } : {}) }), message);
  }
  assert.match(
    jobFailure({ ...job, state: "FAILED", reason: "JobLaunchFailure" }),
    /could not be launched on n1 .*the cache directory must be on a filesystem the compute nodes share$/,
  );
  assert.equal(
    jobFailure({ jobId: "8", state: "TIMEOUT", resources: {} }),
    "Slurm job 8 reached its time limit (TIMEOUT): raise `resources.time`",
  );
});
