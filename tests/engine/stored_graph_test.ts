import assert from "node:assert/strict";
import { join } from "node:path";
import {
  type CompiledPipeline,
  JournalReader,
  type LoadOptions,
  loadStageGraph,
  planPipeline,
  runPipeline,
  type RunReporter,
  Store,
} from "@dropline/engine";
import { TASKS } from "@dropline/tasks";
import { tempProject } from "./_project.ts";

const PIPELINE = `name: stored
params: { n: 3 }
stages:
  leaf:
    task: shell
    matrix: { i: [1, 2, 3] }
    with: { run: 'echo $(( \${{ matrix.i }} * \${{ params.n }} )) > "$OUT/v"', outputs: [v] }
  sum:
    task: shell
    with:
      run: 's=0; for d in \${{ stages.leaf.out }}; do s=$(( s + $(< "$d/v") )); done; echo $s > "$OUT/sum"'
      outputs: [sum]
`;

const silent: RunReporter = {
  started() {},
  progress() {},
  finished() {},
  note() {},
  close() {},
};

/** Runs a graph from the stored-graph loader; counts the compiles a run asked for. */
async function runFromGraph(file: string, cacheDir: string, code: string) {
  const options: LoadOptions = {
    tasks: TASKS,
    parsedCache: join(cacheDir, "parsed"),
    code: [code],
  };
  const { graph, compile } = await loadStageGraph(file, options);
  let compiles = 0;
  const summary = await runPipeline(graph, {
    cacheDir,
    jobs: 2,
    keepGoing: false,
    forced: new Set(),
    argv: [],
    reporter: silent,
    signal: new AbortController().signal,
    compile: () => (compiles++, compile()),
  });
  return { summary, compiles, graph };
}

Deno.test("a run planned from a stored graph compiles only when a stage must execute", async () => {
  await using project = await tempProject({ "p.yaml": PIPELINE });
  const file = join(project.dir, "p.yaml");
  await Deno.mkdir(project.cache);
  const code = join(project.dir, "code");
  await Deno.mkdir(code);
  await Deno.writeTextFile(join(code, "mod.ts"), "export {};\n");

  const cold = await runFromGraph(file, project.cache, code);
  assert.equal(cold.summary.state, "succeeded");
  assert.equal(cold.summary.counts.succeeded, 4);

  // The graph is stored now: a no-op run needs no compiled stage at all.
  const noop = await runFromGraph(file, project.cache, code);
  assert.deepEqual([noop.summary.state, noop.summary.counts.cached, noop.compiles], [
    "succeeded",
    4,
    0,
  ]);

  // One leaf's result deleted: that leaf executes (the pipeline compiled once
  // for it) and `sum`, whose input content is the same, is reused.
  const store = new Store(project.cache);
  const journal = JournalReader.open(project.cache);
  const plan = await planPipeline(noop.graph, store, journal, new Set());
  journal.close();
  const leafKey = plan.find((s) => s.id === "leaf[i=2]")!.key!;
  await Deno.remove(store.layout.objectDir(leafKey), { recursive: true });
  const rerun = await runFromGraph(file, project.cache, code);
  assert.deepEqual(
    [rerun.summary.state, rerun.summary.counts.succeeded, rerun.summary.counts.cached],
    ["succeeded", 1, 3],
  );
  assert.equal(rerun.compiles, 1);
  const sumKey = plan.find((s) => s.id === "sum")!.key!;
  assert.equal(await Deno.readTextFile(join(store.outDir(sumKey), "sum")), "18\n");
});

Deno.test("a compiled stage that differs from its stored graph fails, with what to do", async () => {
  await using project = await tempProject({ "p.yaml": "" });
  const file = join(project.dir, "p.yaml");
  await Deno.writeTextFile(
    file,
    `name: differs
stages:
  a:
    task: shell
    with: { run: 'echo a > "$OUT/a"', outputs: [a] }
`,
  );
  await Deno.mkdir(project.cache);
  const { graph, compile } = await loadStageGraph(file, { tasks: TASKS });
  const compiled = await compile();
  // As if the code had changed without its stamp showing it.
  const drifted: CompiledPipeline = {
    ...compiled,
    stages: compiled.stages.map((s) => ({ ...s, keyParamsJson: `${s.keyParamsJson} ` })),
  };
  drifted.byId = new Map(drifted.stages.map((s) => [s.id, s]));
  const summary = await runPipeline(graph, {
    cacheDir: project.cache,
    keepGoing: false,
    forced: new Set(),
    argv: [],
    reporter: silent,
    signal: new AbortController().signal,
    compile: () => Promise.resolve(drifted),
  });
  assert.equal(summary.state, "failed");
  assert.match(summary.failures[0]!.message, /compiles differently from its stored graph/);
});
