import assert from "node:assert/strict";
import { JournalReader } from "@dropline/engine";
import { createApp } from "./app.ts";
import { DEMO, FixtureJournal, writeDemoCache } from "./_fixture.ts";

async function demo() {
  const cacheDir = await Deno.makeTempDir();
  const journal = writeDemoCache(cacheDir);
  return { cacheDir, journal, app: createApp({ cacheDir, pollMs: 10 }) };
}

/** Reads an SSE body until `count` events arrived, then cancels it. */
async function readEvents(
  response: Response,
  count: number,
): Promise<Array<Record<string, string>>> {
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  const events: Array<Record<string, string>> = [];
  while (events.length < count) {
    const { value, done } = await reader.read();
    if (done) break;
    text += value;
    let end;
    while ((end = text.indexOf("\n\n")) >= 0) {
      const block = text.slice(0, end);
      text = text.slice(end + 2);
      const fields: Record<string, string> = {};
      for (const line of block.split("\n")) {
        const colon = line.indexOf(":");
        if (colon > 0) fields[line.slice(0, colon)] = line.slice(colon + 1).trimStart();
      }
      if (fields.event) events.push(fields);
    }
  }
  await reader.cancel();
  return events;
}

Deno.test("GET /api/runs lists runs with their stage counts", async () => {
  const { app, journal } = await demo();
  const body = await (await app.request("/api/runs")).json();
  assert.deepEqual(body.runs.map((r: { id: string }) => r.id), [DEMO.run, DEMO.oldRun]);
  assert.equal(body.runs[0].pipeline, "demo");
  assert.equal(body.runs[0].state, "running");
  assert.deepEqual(body.runs[0].counts, { cached: 1, failed: 1, pending: 4, succeeded: 1 });
  assert.equal((await app.request("/api/runs?limit=x")).status, 400);
  journal.close();
});

Deno.test("GET /api/runs/:id returns the run and every stage in order", async () => {
  const { app, journal } = await demo();
  const body = await (await app.request(`/api/runs/${DEMO.run}`)).json();
  assert.equal(body.run.id, DEMO.run);
  // The old run's start and end, this run's start, and make's two state changes.
  assert.equal(body.lastEventId, 5);
  assert.deepEqual(body.stages.map((s: { id: string }) => s.id), [
    "make",
    ...DEMO.sweep,
    "gather",
    DEMO.evil,
    "report",
  ]);
  const gather = body.stages[4];
  assert.deepEqual(gather.needs, DEMO.sweep);
  assert.equal(gather.name, "gather");
  assert.equal(body.reports.length, 1);
  journal.close();
});

Deno.test("GET /api/runs/:id/stages/:stage returns details, outputs and metrics", async () => {
  const { app, journal } = await demo();
  const body = await (await app.request(`/api/runs/${DEMO.run}/stages/make`)).json();
  assert.equal(body.stage.id, "make");
  assert.deepEqual(body.stage.params, { run: 'echo 3 > "$OUT/n.txt"', outputs: ["n.txt"] });
  assert.deepEqual(body.outputs.map((f: { path: string }) => f.path), ["n.txt", "sub/deep.json"]);
  assert.equal(body.outputs[0].href, "/files/objects/ab/make/n.txt");
  assert.equal(body.outputs[0].size, 2);
  assert.equal(body.metrics.loss.length, 50);
  assert.deepEqual(body.metrics.loss[0], [0, 2.4]);
  assert.deepEqual(body.history.map((a: { runId: string }) => a.runId), [DEMO.run, DEMO.oldRun]);
  assert.deepEqual(body.downstream, [...DEMO.sweep, DEMO.evil]);
  assert.match(body.log, /^\/files\/logs\//);
  const missing = await app.request(`/api/runs/${DEMO.run}/stages/nope`);
  assert.equal(missing.status, 404);
  assert.match((await missing.json()).error, /Stage "nope" does not exist/);
  journal.close();
});

Deno.test("GET /api/runs/:id/stages/:stage/log returns what was appended since an offset", async () => {
  const { app, journal } = await demo();
  const url = `/api/runs/${DEMO.run}/stages/make/log`;
  const first = await (await app.request(url)).json();
  assert.equal(first.text, "making n\n<b>not bold</b>\ndone\n");
  const logPath = `${
    (await (await app.request(`/api/runs/${DEMO.run}/stages/make`)).json()).stage.logPath
  }`;
  await Deno.writeTextFile(logPath, "more\npartial", { append: true });
  const next = await (await app.request(`${url}?from=${first.next}`)).json();
  assert.equal(next.text, "more\n");
  journal.close();
});

Deno.test("GET /api/runs/:id/events streams the run's events, then new ones as they happen", async () => {
  const { app, journal, cacheDir } = await demo();
  const response = await app.request(`/api/runs/${DEMO.run}/events`);
  assert.equal(response.headers.get("Content-Type"), "text/event-stream");
  const reading = readEvents(response, 5);
  journal.setState(DEMO.run, DEMO.sweep[0], "running");
  journal.setState(DEMO.run, DEMO.sweep[0], "succeeded");
  const events = await reading;
  assert.deepEqual(events.map((e) => [e.event, e.id]), [
    ["run", "3"],
    ["stage", "4"],
    ["stage", "5"],
    ["stage", "6"],
    ["stage", "7"],
  ]);
  assert.deepEqual(
    events.slice(3).map((e) => JSON.parse(e.data!).state),
    ["running", "succeeded"],
  );
  assert.equal(JSON.parse(events[3]!.data!).stage, DEMO.sweep[0]);
  const { reason } = new JournalReader(cacheDir).getStage(DEMO.run, DEMO.sweep[0])!;
  assert.equal(JSON.parse(events[4]!.data!).reason, reason, "a stage event carries its reason");
  journal.close();
});

Deno.test("GET /api/runs/:id/events resumes after Last-Event-ID and ends with the run", async () => {
  const { app, journal } = await demo();
  journal.endRun(DEMO.run, "failed");
  const response = await app.request(`/api/runs/${DEMO.run}/events?after=0`, {
    headers: { "Last-Event-ID": "4" },
  });
  const events = await readEvents(response, 10);
  assert.deepEqual(events.map((e) => e.event), ["stage", "run", "end"]);
  assert.equal(events[0]!.id, "5");
  assert.deepEqual(JSON.parse(events[2]!.data!), { state: "failed" });
  journal.close();
});

Deno.test("the dashboard reads a journal while a writer holds it open", async () => {
  const cacheDir = await Deno.makeTempDir();
  const writer = new FixtureJournal(cacheDir);
  const app = createApp({ cacheDir });
  await writer.writer.batch(async () => {
    writer.addRun({ id: "r-in-tx" }, [{ id: "a" }]);
    // The writer's open transaction neither blocks nor leaks into the reader.
    const body = await (await app.request("/api/runs")).json();
    assert.deepEqual(body.runs, []);
  });
  const body = await (await app.request("/api/runs")).json();
  assert.equal(body.runs[0].id, "r-in-tx");
  writer.close();
});

Deno.test("HEAD /api/runs/:id/events answers without starting a stream", async () => {
  const { app, journal } = await demo();
  const response = await app.request(`/api/runs/${DEMO.run}/events`, { method: "HEAD" });
  assert.equal(response.status, 200);
  assert.equal(response.headers.get("Content-Type"), "text/event-stream");
  assert.equal(await response.text(), "");
  journal.close();
});
