import assert from "node:assert/strict";
import { Journal } from "./journal.ts";
import { JournalReader } from "./journal_reader.ts";
import { recordRun, tempCache } from "./_test_runs.ts";

Deno.test("Journal records a stage's jobs: one row per job, updated as it changes", async () => {
  await using cache = await tempCache();
  let now = 1_000;
  const journal = new Journal(cache, { now: () => now });
  recordRun(journal, { id: "r1", state: "running", stages: [{ id: "train", key: "k1" }] });
  journal.updateStage("r1", "train", { executor: "slurm" });
  journal.recordJob("r1", "train", {
    executor: "slurm",
    id: "12",
    state: "PENDING",
    reason: "Resources",
  });
  journal.flush();
  now = 2_000;
  journal.recordJob("r1", "train", { executor: "slurm", id: "12", state: "RUNNING", node: "n1" });
  journal.flush();
  now = 3_000;
  journal.recordJob("r1", "train", { executor: "slurm", id: "12", state: "NODE_FAIL" });
  journal.recordJob("r1", "train", { executor: "slurm", id: "13", state: "PENDING" });
  journal.close();

  const reader = new JournalReader(cache);
  const stage = reader.getStage("r1", "train")!;
  assert.equal(stage.executor, "slurm");
  assert.deepEqual(stage.jobs, [
    {
      executor: "slurm",
      id: "12",
      state: "NODE_FAIL",
      reason: null,
      node: "n1", // kept from the report that knew it
      since: 1_000,
      updatedAt: 3_000,
    },
    {
      executor: "slurm",
      id: "13",
      state: "PENDING",
      reason: null,
      node: null,
      since: 3_000,
      updatedAt: 3_000,
    },
  ]);
  reader.close();
});

Deno.test("JournalReader.lastExecution() finds the latest attempt that executed, by key", async () => {
  await using cache = await tempCache();
  const journal = new Journal(cache, { now: () => 1 });
  recordRun(journal, { id: "r1", stages: [{ id: "train", key: "k1", state: "failed" }] });
  journal.updateStage("r1", "train", { executor: "local" });
  recordRun(journal, { id: "r2", stages: [{ id: "train", key: "k2", state: "succeeded" }] });
  journal.updateStage("r2", "train", { executor: "slurm" });
  journal.recordJob("r2", "train", { executor: "slurm", id: "40", state: "COMPLETED", node: "n3" });
  recordRun(journal, { id: "r3", stages: [{ id: "train", key: "k2", state: "cached" }] });
  journal.close();

  const reader = new JournalReader(cache);
  assert.deepEqual(reader.lastExecution("train", "k1"), {
    runId: "r1",
    executor: "local",
    host: "test-host",
  });
  const last = reader.lastExecution("train", "k2")!;
  assert.equal(last.runId, "r2", "the cached run executed nothing");
  assert.deepEqual([last.executor, last.job?.id, last.job?.state, last.job?.node], [
    "slurm",
    "40",
    "COMPLETED",
    "n3",
  ]);
  assert.equal(reader.lastExecution("train", "k9"), undefined);
  assert.equal(reader.lastExecution("other", null), undefined);
  reader.close();
});

Deno.test("Journal.reapDeadRuns() marks a dead run's unfinished jobs UNKNOWN, saying what was last seen", async () => {
  await using cache = await tempCache();
  const journal = new Journal(cache, { now: () => 5_000 });
  recordRun(journal, { id: "r1", state: "running", stages: [{ id: "a" }, { id: "b" }] });
  journal.recordJob("r1", "a", { executor: "slurm", id: "12", state: "RUNNING", node: "n1" });
  journal.recordJob("r1", "b", { executor: "slurm", id: "13", state: "COMPLETED", node: "n1" });
  journal.flush();
  journal.reapDeadRuns("test-host", () => false);
  journal.close();
  const reader = new JournalReader(cache);
  assert.deepEqual(
    ["a", "b"].map((id) => reader.getStage("r1", id)!.jobs.map((j) => [j.id, j.state, j.reason])),
    [[["12", "UNKNOWN", "last seen RUNNING before the run died"]], [["13", "COMPLETED", null]]],
  );
  reader.close();
});
