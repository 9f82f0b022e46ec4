import assert from "node:assert/strict";
import { join } from "node:path";
import { z } from "zod";
import { defineTask, type Task } from "@dropline/task";
import { TASKS } from "@dropline/tasks";
import { type LoadOptions, loadStageGraph } from "./load.ts";

const YAML = `name: graphs
params: { n: 2 }
stages:
  a:
    task: shell
    matrix: { i: [1, 2] }
    with: { run: "echo \${{ params.n }} \${{ matrix.i }} > $OUT/x", outputs: [x] }
  b:
    task: shell
    with: { run: "cat \${{ stages.a.out }}/x > $OUT/y", outputs: [y] }
`;

async function project(text: string) {
  const dir = await Deno.makeTempDir();
  const file = join(dir, "p.yaml");
  await Deno.writeTextFile(file, text);
  await Deno.mkdir(join(dir, "cache"));
  // Stands for the engine's and tasks' code: its stamp decides whether a graph is current.
  const code = join(dir, "code");
  await Deno.mkdir(code);
  await Deno.writeTextFile(join(code, "task.ts"), "export const version = 1;\n");
  return { dir, file, code, parsed: join(dir, "cache", "parsed") };
}

/** Options whose task loader records what it was asked for. */
function counted(p: { parsed: string; code: string }, tasks: ReadonlyMap<string, Task> = TASKS) {
  const asked: string[][] = [];
  const options: LoadOptions = {
    loadTasks: (names) => {
      asked.push([...names]);
      return Promise.resolve(new Map([...tasks].filter(([name]) => names.includes(name))));
    },
    parsedCache: p.parsed,
    code: [p.code],
  };
  return { asked, options };
}

const planned = (stages: readonly { id: string; keyParamsJson: string; upstream: string[] }[]) =>
  stages.map((s) => [s.id, s.keyParamsJson, s.upstream]);

Deno.test("a stored graph is planned from without importing a task or compiling", async () => {
  const p = await project(YAML);
  try {
    const first = counted(p);
    const compiled = await loadStageGraph(p.file, first.options);
    assert.deepEqual(first.asked, [["shell", "shell"]]);
    const second = counted(p);
    const { graph, compile } = await loadStageGraph(p.file, second.options);
    assert.deepEqual(second.asked, [], "no task imported");
    assert.deepEqual(planned(graph.stages), planned(compiled.graph.stages));
    assert.deepEqual(graph.stages.map((s) => s.task), [
      { name: "shell", version: TASKS.get("shell")!.version },
      { name: "shell", version: TASKS.get("shell")!.version },
      { name: "shell", version: TASKS.get("shell")!.version },
    ]);
    assert.equal(graph.byId.get("b")!.seq, 2);
    // Executing needs the compiled stages: compiled on demand, once.
    const full = await compile();
    assert.equal(await compile(), full);
    assert.deepEqual(planned(full.stages), planned(graph.stages));
    assert.match(JSON.stringify(full.byId.get("a[i=2]")!.params(() => "")), /echo 2 2 /);
  } finally {
    await Deno.remove(p.dir, { recursive: true });
  }
});

Deno.test("a graph is compiled again when the code, the flags or the file change", async () => {
  const p = await project(YAML);
  try {
    await loadStageGraph(p.file, counted(p).options);
    // Edited code (same size, later mtime): the stored graph is not current.
    await Deno.writeTextFile(join(p.code, "task.ts"), "export const version = 2;\n");
    const edited = counted(p);
    await loadStageGraph(p.file, edited.options);
    assert.equal(edited.asked.length, 1);
    const again = counted(p);
    await loadStageGraph(p.file, again.options);
    assert.equal(again.asked.length, 0, "stored again for the edited code");
    // Another --set is another graph, with its own keys.
    const set = counted(p);
    const withSet = await loadStageGraph(p.file, { ...set.options, overrides: ["params.n=5"] });
    assert.equal(set.asked.length, 1);
    assert.match(withSet.graph.byId.get("a[i=1]")!.keyParamsJson, /echo 5 1 /);
    // Another text is another graph.
    await Deno.writeTextFile(p.file, YAML.replace("n: 2", "n: 3"));
    const text = counted(p);
    const changed = await loadStageGraph(p.file, text.options);
    assert.equal(text.asked.length, 1);
    assert.match(changed.graph.byId.get("a[i=1]")!.keyParamsJson, /echo 3 1 /);
  } finally {
    await Deno.remove(p.dir, { recursive: true });
  }
});

Deno.test("a damaged stored graph is compiled again, not trusted", async () => {
  const p = await project(YAML);
  try {
    await loadStageGraph(p.file, counted(p).options);
    for await (const entry of Deno.readDir(p.parsed)) {
      if (entry.name.endsWith(".graph.json")) {
        await Deno.writeTextFile(join(p.parsed, entry.name), '{"format": 1, "code": 7}');
      }
    }
    const damaged = counted(p);
    const { graph } = await loadStageGraph(p.file, damaged.options);
    assert.equal(damaged.asked.length, 1);
    assert.equal(graph.stages.length, 3);
  } finally {
    await Deno.remove(p.dir, { recursive: true });
  }
});

Deno.test("environment facts are asked of the task on every load, not stored", async () => {
  let backend = "wasm";
  const probe = defineTask({
    name: "probe",
    version: 3,
    description: "a task with environment facts",
    module: import.meta.url,
    schema: z.object({ size: z.number().default(1) }),
    outputs: () => [],
    environment: (params) => ({ backend, size: String(params.size) }),
    run: () => Promise.resolve(),
  });
  const p = await project(`name: env
stages:
  t: { task: probe, with: {} }
  s: { task: shell, with: { run: "true" } }
`);
  try {
    const tasks = new Map([...TASKS, ["probe", probe]]);
    const first = await loadStageGraph(p.file, counted(p, tasks).options);
    assert.deepEqual(first.graph.byId.get("t")!.env, { backend: "wasm", size: "1" });
    backend = "wasm+openblas";
    const second = counted(p, tasks);
    const { graph } = await loadStageGraph(p.file, second.options);
    assert.deepEqual(second.asked, [["probe"]], "only the task with facts is imported");
    assert.deepEqual(graph.byId.get("t")!.env, { backend: "wasm+openblas", size: "1" });
    assert.equal(graph.byId.get("s")!.env, undefined);
  } finally {
    await Deno.remove(p.dir, { recursive: true });
  }
});
