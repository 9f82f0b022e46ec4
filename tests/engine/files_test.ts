import assert from "node:assert/strict";
import { join } from "node:path";
import { fixture, tempProject } from "./_project.ts";

Deno.test("run: stages keyed on local files re-run when the content changes, not the mtime", async () => {
  await using p = await tempProject({
    "p.yaml": await fixture("files.yaml"),
    "data.csv": "a\nb\n",
  });
  await Deno.mkdir(join(p.dir, "data"));
  await Deno.writeTextFile(join(p.dir, "data", "x"), "x");
  assert.equal((await p.run("run", "p.yaml")).code, 0);

  const now = new Date(Date.now() + 10_000);
  await Deno.utime(join(p.dir, "data.csv"), now, now);
  assert.match(
    (await p.run("run", "p.yaml")).stdout,
    /files: 0 ran, 2 cached/,
    "touch is not a change",
  );

  await Deno.writeTextFile(join(p.dir, "data.csv"), "c\n", { append: true });
  await Deno.writeTextFile(join(p.dir, "data", "y"), "y");
  const why = await p.run("why", "p.yaml", "read");
  assert.equal(why.stdout, 'read: would run: input file "data.csv" changed\n');
  const whyDir = await p.run("why", "p.yaml", "listing");
  assert.equal(whyDir.stdout, 'listing: would run: input file "data" changed\n');
  assert.match((await p.run("run", "p.yaml")).stdout, /files: 2 ran, 0 cached/);
  assert.deepEqual((await p.lines("runs.log")).sort(), ["listing", "listing", "read", "read"]);

  await Deno.remove(join(p.dir, "data.csv"));
  const missing = await p.run("run", "p.yaml");
  assert.equal(missing.code, 1);
  assert.match(missing.stdout, /✖ read: Input file "data\.csv" does not exist/);
  assert.match(missing.stdout, /files: 0 ran, 1 cached, 1 failed/);
});

Deno.test("run: a missing input file outside the pipeline's directory is named by its absolute path", async () => {
  const elsewhere = await Deno.makeTempDir();
  using _ = { [Symbol.dispose]: () => Deno.removeSync(elsewhere, { recursive: true }) };
  const outside = join(elsewhere, "gone.csv");
  await using p = await tempProject({
    "p.yaml": `name: files\nstages:\n  read:\n    task: shell\n    with:\n      run: "true"\n` +
      `      inputs: [${JSON.stringify(outside)}]\n`,
  });
  const missing = await p.run("run", "p.yaml");
  assert.equal(missing.code, 1);
  assert.ok(
    missing.stdout.includes(`✖ read: Input file "${outside}" does not exist`),
    missing.stdout,
  );
});

Deno.test("run: an input directory holding the cache is keyed without the cache, so it stays current", async () => {
  await using p = await tempProject({
    "p.yaml": `name: whole\nstages:\n  all:\n    task: shell\n    with:\n` +
      `      run: ls > "$OUT/list.txt"\n      inputs: [.]\n`,
    "data.csv": "a\n",
  });
  assert.ok(p.cache.startsWith(`${p.dir}/`), "the cache is inside the project");
  assert.equal((await p.run("run", "p.yaml")).code, 0);
  assert.match((await p.run("run", "p.yaml")).stdout, /whole: 0 ran, 1 cached/);
  await Deno.writeTextFile(join(p.dir, "data.csv"), "b\n");
  const changed = await p.run("run", "p.yaml");
  assert.match(changed.stdout, /whole: 1 ran, 0 cached/, "a real change still counts");
});
