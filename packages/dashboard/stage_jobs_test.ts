import assert from "node:assert/strict";
import { createApp } from "./app.ts";
import { FixtureJournal } from "./_fixture.ts";

Deno.test("createApp() shows a Slurm stage's executor, job ids, nodes and states", async () => {
  const cacheDir = await Deno.makeTempDir();
  try {
    const journal = new FixtureJournal(cacheDir);
    journal.addRun({ id: "r1", state: "running" }, [
      { id: "train", state: "running" },
      { id: "here", state: "succeeded" },
    ]);
    const { writer } = journal;
    writer.updateStage("r1", "train", { executor: "slurm" });
    writer.recordJob("r1", "train", {
      executor: "slurm",
      id: "812",
      state: "NODE_FAIL",
      reason: "NodeDown",
      node: "gpu-07",
    });
    writer.recordJob("r1", "train", {
      executor: "slurm",
      id: "813",
      state: "RUNNING",
      node: "gpu-<b>",
    });
    writer.updateStage("r1", "here", { executor: "local" });
    journal.close();

    const app = createApp({ cacheDir });
    const page = await (await app.request("/runs/r1/stages/train")).text();
    assert.match(page, /<dt>Executor<\/dt>\s*<dd>slurm<\/dd>/);
    assert.match(page, /<dt>Jobs<\/dt>/);
    assert.match(
      page,
      /job <code class="job-id">812<\/code> on gpu-07: <span\s+class="job-state"\s*>NODE_FAIL<\/span>\s*<span class="muted">\(NodeDown\)<\/span>/,
    );
    assert.match(page, /job <code class="job-id">813<\/code> on gpu-&lt;b&gt;: <span/);
    assert.ok(page.indexOf(">812<") < page.indexOf(">813<"), "oldest job first");
    const local = await (await app.request("/runs/r1/stages/here")).text();
    assert.match(local, /<dt>Executor<\/dt>\s*<dd>local<\/dd>/);
    assert.doesNotMatch(local, /job-id/);
    const api = await (await app.request("/api/runs/r1/stages/train")).json();
    assert.equal(api.stage.executor, "slurm");
    assert.deepEqual(
      api.stage.jobs.map((
        j: { id: string; state: string; node: string },
      ) => [j.id, j.state, j.node]),
      [["812", "NODE_FAIL", "gpu-07"], ["813", "RUNNING", "gpu-<b>"]],
    );
  } finally {
    await Deno.remove(cacheDir, { recursive: true });
  }
});
