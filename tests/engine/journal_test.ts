import assert from "node:assert/strict";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { CacheLayout } from "@dropline/engine";
import { createApp } from "@dropline/dashboard";
import { fixture, tempProject } from "./_project.ts";

async function counting() {
  return await tempProject({ "p.yaml": await fixture("counting.yaml") });
}

const NO_STACK = /\n\s+at /;

Deno.test("a damaged journal: every command says how to recover, and the recovery works", async () => {
  await using p = await counting();
  assert.equal((await p.run("run", "p.yaml")).code, 0);
  const layout = new CacheLayout(p.cache);
  const bytes = await Deno.readFile(layout.journal);
  await Deno.writeFile(layout.journal, bytes.slice(0, bytes.length / 2));
  for (const args of [["run", "p.yaml"], ["status", "p.yaml"], ["why", "p.yaml", "make"], ["gc"]]) {
    const result = await p.run(...args);
    assert.equal(result.code, 1, `${args[0]}: ${result.stdout}${result.stderr}`);
    assert.match(
      result.stderr,
      new RegExp(`^${args[0]}: The run journal ".*journal\\.db" is damaged`),
    );
    assert.match(result.stderr, /Stored results are intact/);
    assert.doesNotMatch(result.stderr, NO_STACK, "no stack trace");
  }
  assert.equal((await p.lines("runs.log")).length, 5, "nothing ran");
  // The dashboard says the same on its pages.
  const page = await createApp({ cacheDir: p.cache }).request("/");
  assert.equal(page.status, 503);
  assert.match(await page.text(), /is damaged/);

  // The recovery the message prints, run by a shell as a user would.
  const command = /\n {2}(mkdir .*)\n/.exec((await p.run("status", "p.yaml")).stderr)![1]!;
  const shell = await new Deno.Command("bash", { args: ["-c", command] }).output();
  assert.equal(shell.code, 0, new TextDecoder().decode(shell.stderr));
  const again = await p.run("run", "p.yaml");
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stdout, /counting: 0 ran, 5 cached/, "every stored result is reused");
  assert.ok((await Deno.stat(join(p.cache, "journal.damaged", "journal.db"))).isFile);
});

Deno.test("a journal damaged in one page stops run and status with the recovery, not a stage failure", async () => {
  await using p = await counting();
  assert.equal((await p.run("run", "p.yaml")).code, 0);
  assert.equal((await p.run("run", "p.yaml")).code, 0);
  const layout = new CacheLayout(p.cache);
  // Checkpointed when the last run closed it: the page below is the only copy.
  assert.equal((await Deno.stat(`${layout.journal}-wal`).catch(() => undefined))?.size ?? 0, 0);
  // The page holding the objects table, which both commands read to look results up.
  const db = new DatabaseSync(layout.journal, { readOnly: true });
  const { rootpage } = db.prepare("SELECT rootpage FROM sqlite_schema WHERE name = 'objects'")
    .get() as { rootpage: number };
  const { page_size } = db.prepare("PRAGMA page_size").get() as { page_size: number };
  db.close();
  const bytes = await Deno.readFile(layout.journal);
  bytes.fill(0xa5, (rootpage - 1) * page_size, rootpage * page_size);
  await Deno.writeFile(layout.journal, bytes);

  for (const command of ["status", "run"]) {
    const result = await p.run(command, "p.yaml");
    assert.equal(result.code, 1, `${command}: ${result.stdout}${result.stderr}`);
    assert.match(
      result.stderr,
      new RegExp(`^${command}: The run journal ".*journal\\.db" is damaged \\(.*\\)\\.\n`),
    );
    assert.match(result.stderr, /Stored results are intact/);
    assert.equal(result.stderr.match(/is damaged/g)?.length, 1, "one message");
    assert.doesNotMatch(result.stderr, NO_STACK, "no stack trace");
    assert.doesNotMatch(result.stdout, /is damaged|pending|✖|failed/, "not a stage's reason");
  }
  assert.equal((await p.lines("runs.log")).length, 5, "nothing ran");
});

Deno.test("a --cache-dir that is a file is reported without a stack trace", async () => {
  await using p = await counting();
  await Deno.writeTextFile(p.cache, "not a directory");
  for (const args of [["run", "p.yaml"], ["status", "p.yaml"], ["gc"]]) {
    const result = await p.run(...args);
    assert.equal(result.code, 1, `${args[0]}: ${result.stdout}${result.stderr}`);
    assert.equal(
      result.stderr.trim(),
      `${args[0]}: Cache directory "${p.cache}" is not a directory (it or a parent is a file): ` +
        "pass --cache-dir a directory, or move the file away",
    );
  }
  assert.deepEqual(await p.lines("runs.log"), [], "nothing ran");
});

Deno.test("no-op runs do not grow the journal, and the dashboard lists them only when asked", async () => {
  await using p = await counting();
  const layout = new CacheLayout(p.cache);
  const sizes: number[] = [];
  for (let i = 0; i < 6; i++) {
    assert.equal((await p.run("run", "p.yaml")).code, 0);
    sizes.push((await Deno.stat(layout.journal)).size);
  }
  // The pages of pruned runs are reused: after the first few runs the file stays the same size.
  assert.equal(sizes[5], sizes[3], sizes.join(", "));
  const journal = p.journal();
  try {
    const runs = journal.listRuns({ noop: true });
    assert.deepEqual(runs.map((r) => r.noop), [true, false], "one no-op run, the latest, is kept");
    assert.deepEqual(journal.listRuns().map((r) => r.id), [runs[1]!.id]);
  } finally {
    journal.close();
  }
  const logRuns = [...Deno.readDirSync(layout.dir("logs"))];
  assert.equal(logRuns.length, 1, "no-op runs leave no log directory");

  const app = createApp({ cacheDir: p.cache });
  const listed = await (await app.request("/api/runs")).json();
  assert.equal(listed.runs.length, 1);
  assert.equal(listed.hiddenNoopRuns, 1);
  assert.equal((await (await app.request("/api/runs?noop=1")).json()).runs.length, 2);
  assert.match(await (await app.request("/")).text(), /1 no-op run \(every stage reused\) hidden/);
  assert.match(await (await app.request("/?noop=1")).text(), /Showing no-op runs/);
  assert.equal((await app.request("/api/runs?noop=yes")).status, 400);

  // status and gc read the journal as before: everything is current and kept.
  const status = JSON.parse((await p.run("status", "p.yaml", "--json")).stdout);
  assert.ok(status.stages.every((s: { state: string }) => s.state === "cached"));
  assert.match((await p.run("gc")).stdout, /gc: freed 0 B in 0 object\(s\)/);
  assert.match((await p.run("run", "p.yaml")).stdout, /counting: 0 ran, 5 cached/);
});
