import assert from "node:assert/strict";
import { join } from "node:path";
import { TASKS } from "@dropline/tasks";
import { loadPipeline } from "./load.ts";
import { jsonExact, parsedCachePath, writeParsed } from "./parsed_cache.ts";
import { PipelineError } from "./problem.ts";
import { parsePipelineSource } from "./source.ts";

const YAML = `name: cached
params: { n: 2 }
stages:
  a:
    task: shell
    with: { run: "echo \${{ params.n }} > $OUT/x", outputs: [x] }
`;

async function project(text: string) {
  const dir = await Deno.makeTempDir();
  const file = join(dir, "p.yaml");
  await Deno.writeTextFile(file, text);
  const cache = join(dir, "cache");
  await Deno.mkdir(cache);
  return { dir, file, parsed: join(cache, "parsed") };
}

Deno.test("an unchanged pipeline file is read from its parse, not parsed again", async () => {
  const p = await project(YAML);
  try {
    const first = await loadPipeline(p.file, {
      tasks: TASKS,
      parsedCache: p.parsed,
    });
    const entry = parsedCachePath(p.parsed, YAML, 1_000_000);
    assert.equal(JSON.parse(await Deno.readTextFile(entry)).params.n, 2);
    // The entry is what is used: edit it (as no real file could be) and load again.
    const edited = JSON.parse(await Deno.readTextFile(entry));
    edited.params.n = 7;
    await Deno.writeTextFile(entry, JSON.stringify(edited));
    const second = await loadPipeline(p.file, {
      tasks: TASKS,
      parsedCache: p.parsed,
    });
    assert.match(JSON.stringify(first.stages[0]!.params(() => "")), /echo 2 /);
    assert.match(JSON.stringify(second.stages[0]!.params(() => "")), /echo 7 /);
    // A different text is a different entry; --set still applies to a cached parse.
    const set = await loadPipeline(p.file, {
      tasks: TASKS,
      parsedCache: p.parsed,
      overrides: ["params.n=9"],
    });
    assert.match(JSON.stringify(set.stages[0]!.params(() => "")), /echo 9 /);
    // A run that made the cache directory stores the parse at its end.
    const made = join(p.dir, "new-cache");
    let store: (() => void) | undefined;
    await loadPipeline(p.file, {
      tasks: TASKS,
      parsedCache: join(made, "parsed"),
      onParseUnstored: (later) => store = later,
    });
    assert.equal(await Deno.stat(made).then(() => true, () => false), false);
    await Deno.mkdir(made);
    store!();
    assert.ok(await Deno.stat(parsedCachePath(join(made, "parsed"), YAML, 1_000_000)));
  } finally {
    await Deno.remove(p.dir, { recursive: true });
  }
});

Deno.test("a problem found with a cached parse is reported with its position", async () => {
  const bad = YAML.replace("outputs: [x]", "outputs: [x], colour: red");
  const p = await project(bad);
  try {
    // As if stored by a dropline whose shell task took `colour`.
    const entry = parsedCachePath(p.parsed, bad, 1_000_000);
    writeParsed(entry, parsePipelineSource("p.yaml", bad).value);
    assert.ok(await Deno.stat(entry));
    await assert.rejects(
      () =>
        loadPipeline(p.file, {
          tasks: TASKS,
          parsedCache: p.parsed,
        }),
      (error: Error) =>
        error instanceof PipelineError &&
        /p\.yaml:6:\d+: stage "a", field "with/.test(error.message),
    );
  } finally {
    await Deno.remove(p.dir, { recursive: true });
  }
});

Deno.test("a pipeline that does not compile leaves no parse behind, and no cache directory is made", async () => {
  const p = await project(YAML.replace("task: shell", "task: nope"));
  try {
    await assert.rejects(() => loadPipeline(p.file, { tasks: TASKS, parsedCache: p.parsed }));
    assert.equal(await Deno.stat(p.parsed).then(() => true, () => false), false);
    const missing = join(p.dir, "no-cache", "parsed");
    await loadPipeline(join(p.dir, "p.yaml"), {
      tasks: TASKS,
      parsedCache: missing,
    }).catch(
      () => {},
    );
    writeParsed(join(missing, "x.json"), { a: 1 });
    assert.equal(await Deno.stat(join(p.dir, "no-cache")).then(() => true, () => false), false);
  } finally {
    await Deno.remove(p.dir, { recursive: true });
  }
});

Deno.test("jsonExact() accepts only values JSON keeps exactly", () => {
  assert.equal(jsonExact({ a: [1, "x", null, true, { b: 0.5 }] }), true);
  for (const value of [Infinity, NaN, -0, undefined, new Date(0), { a: [Infinity] }]) {
    assert.equal(jsonExact(value), false, String(value));
  }
  assert.notEqual(parsedCachePath("/c", "x", 1), parsedCachePath("/c", "x", 2));
});
