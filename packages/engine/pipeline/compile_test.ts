import assert from "node:assert/strict";
import { z } from "zod";
import { defineTask, type Task } from "@dropline/task";
import { TASKS as BUILT_IN } from "@dropline/tasks";
import { compilePipeline } from "./compile.ts";
import { PipelineError } from "./problem.ts";
import { parsePipelineSource } from "./source.ts";
import { parseOverrides } from "./override_values.ts";

const train = defineTask({
  name: "train",
  version: 2,
  description: "A typed task for tests",
  module: import.meta.url,
  schema: z.strictObject({
    lr: z.number(),
    data: z.string().default(""),
    opt: z.strictObject({ momentum: z.number().default(0.9) }).default({ momentum: 0.9 }),
    inputs: z.array(z.string()).default([]),
  }),
  outputs: () => [],
  inputFiles: (p) => p.inputs,
  run: () => Promise.resolve(),
});
const shell = BUILT_IN.get("shell")!;
const TASKS: ReadonlyMap<string, Task> = new Map([[shell.name, shell], [train.name, train]]);

function compile(text: string, overrides: string[] = []) {
  return compilePipeline(parsePipelineSource("/p/x.yaml", text), {
    tasks: TASKS,
    overrides: parseOverrides(overrides),
  });
}

/** Every problem line of compiling `text`. */
function problems(text: string): string[] {
  try {
    compile(text);
  } catch (error) {
    assert.ok(error instanceof PipelineError, `expected a PipelineError, got ${error}`);
    return error.message.split("\n");
  }
  assert.fail("expected the pipeline to be rejected");
}

/** `line:col` (1-based) of the first occurrence of `needle` in `text`. */
function pos(text: string, needle: string, nth = 0): string {
  let index = -1;
  for (let i = 0; i <= nth; i++) index = text.indexOf(needle, index + 1);
  assert.ok(index >= 0, `"${needle}" not in the text`);
  const before = text.slice(0, index).split("\n");
  return `${before.length}:${before.at(-1)!.length + 1}`;
}

const DEMO = `name: demo
params:
  n: 3
  lrs: [0.1, 0.2]
stages:
  make:
    task: shell
    with:
      run: echo \${{ params.n }} > "$OUT/n.txt"
      inputs: [data.csv]
  sweep:
    task: train
    needs: [make]
    matrix:
      lr: \${{ params.lrs }}
      seed: [0, 1]
    exclude:
      - { lr: 0.2, seed: 1 }
    with:
      lr: \${{ matrix.lr }}
      data: \${{ stages.make.out }}/n.txt
  gather:
    task: shell
    with:
      run: cat \${{ stages.sweep.out }}
`;

Deno.test("compilePipeline() expands a matrix in order and derives edges", () => {
  const pipeline = compile(DEMO);
  assert.deepEqual(pipeline.stages.map((s) => s.id), [
    "make",
    "sweep[lr=0.1,seed=0]",
    "sweep[lr=0.1,seed=1]",
    "sweep[lr=0.2,seed=0]",
    "gather",
  ]);
  assert.deepEqual(pipeline.stages.map((s) => s.seq), [0, 1, 2, 3, 4]);
  assert.deepEqual(pipeline.byId.get("sweep[lr=0.1,seed=1]")!.upstream, ["make"]);
  assert.deepEqual(pipeline.byId.get("gather")!.upstream, [
    "sweep[lr=0.1,seed=0]",
    "sweep[lr=0.1,seed=1]",
    "sweep[lr=0.2,seed=0]",
  ]);
});

Deno.test("compilePipeline() keys params with placeholders and renders real paths", () => {
  const pipeline = compile(DEMO);
  const sweep = pipeline.byId.get("sweep[lr=0.2,seed=0]")!;
  assert.deepEqual(sweep.keyParams, {
    lr: 0.2,
    data: "<out:make>/n.txt",
    opt: { momentum: 0.9 },
    inputs: [],
  });
  assert.deepEqual(sweep.params((id) => `/cache/${id}`), {
    lr: 0.2,
    data: "/cache/make/n.txt",
    opt: { momentum: 0.9 },
    inputs: [],
  });
  const gather = pipeline.byId.get("gather")!;
  assert.equal(
    (gather.params((id) => `/c/${id}`) as { run: string }).run,
    // A bash array of quoted words, one per expansion: `[` and `=` would glob and assign.
    "declare -a dl_stages_sweep_out=('/c/sweep[lr=0.1,seed=0]' '/c/sweep[lr=0.1,seed=1]' " +
      `'/c/sweep[lr=0.2,seed=0]'); cat "\${dl_stages_sweep_out[@]}"`,
  );
});

Deno.test("compilePipeline() records used params and absolute input files", () => {
  const make = compile(DEMO).byId.get("make")!;
  assert.deepEqual(make.usedParams, { n: 3 });
  assert.deepEqual(make.inputFiles, ["/p/data.csv"]);
  assert.equal(compile(DEMO).dir, "/p");
});

Deno.test("compilePipeline() applies --set before expansion", () => {
  const pipeline = compile(DEMO, ["params.lrs=[0.5]", "params.n=5"]);
  assert.deepEqual(pipeline.stages.map((s) => s.id), [
    "make",
    "sweep[lr=0.5,seed=0]",
    "sweep[lr=0.5,seed=1]",
    "gather",
  ]);
  assert.match((pipeline.byId.get("make")!.keyParams as { run: string }).run, /^echo 5 /);
});

Deno.test("compilePipeline() supports include and needs on a matrix stage", () => {
  const pipeline = compile(
    `name: x
stages:
  a: { task: shell, matrix: { k: [1, 2] }, with: { run: "true" } }
  b:
    task: shell
    needs: a
    matrix: { k: [1] }
    include: [{ k: 3 }]
    with: { run: "true" }
`.replace("needs: a", "needs: [a]").replace("include: [{ k: 3 }]", "include: [{ k: 2 }]"),
  );
  assert.deepEqual(pipeline.byId.get("b[k=1]")!.upstream, ["a[k=1]"]);
  assert.deepEqual(pipeline.byId.get("b[k=2]")!.upstream, ["a[k=2]"]);
});

Deno.test("compilePipeline() rejects invalid YAML with its position", () => {
  const text = "name: x\nstages:\n  a: [1, 2\n";
  const lines = problems(text);
  assert.equal(lines.length, 1);
  assert.match(lines[0]!, /^\/p\/x\.yaml:4:1: Invalid YAML: Flow sequence/);
});

Deno.test("compilePipeline() suggests a close match for an unknown top-level key", () => {
  const text = "name: x\nparam:\n  n: 1\nstages:\n  a: { task: shell, with: { run: 'true' } }\n";
  assert.deepEqual(problems(text), [
    `/p/x.yaml:2:1: field "param": Unknown key "param" (did you mean "params"?); expected one of name, description, executor, params, resources, stages`,
  ]);
});

Deno.test("compilePipeline() names the stage of an unknown stage key", () => {
  const text =
    "name: x\nstages:\n  a:\n    task: shell\n    neds: [b]\n    with: { run: 'true' }\n";
  assert.deepEqual(problems(text), [
    `/p/x.yaml:5:5: stage "a", field "neds": Unknown key "neds" (did you mean "needs"?); expected one of task, with, needs, matrix, exclude, include, resources, description`,
  ]);
});

Deno.test("compilePipeline() rejects an unknown task with a suggestion", () => {
  const text = "name: x\nstages:\n  a:\n    task: shel\n";
  assert.deepEqual(problems(text), [
    `/p/x.yaml:4:11: stage "a", field "task": Unknown task "shel" (did you mean "shell"?); available: shell, train`,
  ]);
});

Deno.test("compilePipeline() maps a schema error in `with` to its YAML position", () => {
  const text = `name: x
stages:
  t:
    task: train
    matrix: { seed: [0] }
    with:
      lr: fast
      opt: { momentum: high }
      lrr: 1
`;
  assert.deepEqual(
    problems(text).sort(),
    [
      `/p/x.yaml:${
        pos(text, "fast")
      }: stage "t[seed=0]", field "with.lr": Expected number, received string`,
      `/p/x.yaml:${
        pos(text, "high")
      }: stage "t[seed=0]", field "with.opt.momentum": Expected number, received string`,
      `/p/x.yaml:${
        pos(text, "lrr")
      }: stage "t[seed=0]", field "with.lrr": Unknown parameter "lrr" (did you mean "lr"?); expected one of lr, data, opt, inputs`,
    ].sort(),
  );
});

Deno.test("compilePipeline() points a missing required field at its `with`", () => {
  const text = "name: x\nstages:\n  t:\n    task: train\n    with:\n      data: d\n";
  assert.deepEqual(problems(text), [
    `/p/x.yaml:${
      pos(text, "data")
    }: stage "t", field "with.lr": Missing required field: expected number`,
  ]);
});

Deno.test("compilePipeline() rejects references to unknown stages, params and matrix keys", () => {
  const text = `name: x
params: { rate: 1 }
stages:
  make: { task: shell, with: { run: "true" } }
  a:
    task: shell
    needs: [mkae]
    with: { run: "cat \${{ stages.mak.out }}" }
`;
  assert.deepEqual(problems(text), [
    `/p/x.yaml:${
      pos(text, "mkae")
    }: stage "a", field "needs.0": Unknown stage "mkae" (did you mean "make"?)`,
    `/p/x.yaml:${
      pos(text, '"cat')
    }: stage "a", field "with.run": Unknown stage "mak" (did you mean "make"?)`,
  ]);
  const text2 = `name: x
params: { rate: 1 }
stages:
  a:
    task: shell
    matrix: { seed: [0] }
    with: { run: "echo \${{ params.rat }} \${{ matrix.sed }}" }
`;
  assert.deepEqual(problems(text2), [
    `/p/x.yaml:${
      pos(text2, '"echo')
    }: stage "a[seed=0]", field "with.run": Unknown param "rat" (did you mean "rate"?)`,
    `/p/x.yaml:${
      pos(text2, '"echo')
    }: stage "a[seed=0]", field "with.run": Unknown matrix key "sed" (did you mean "seed"?)`,
  ]);
});

Deno.test("compilePipeline() rejects a matrix reference in a stage without a matrix", () => {
  const text = "name: x\nstages:\n  a: { task: shell, with: { run: 'echo ${{ matrix.k }}' } }\n";
  assert.deepEqual(problems(text), [
    `/p/x.yaml:${
      pos(text, "'echo")
    }: stage "a", field "with.run": Unknown matrix key "k": the stage has no matrix`,
  ]);
});

Deno.test("compilePipeline() lists the stages of a cycle", () => {
  const text = `name: x
stages:
  a: { task: shell, needs: [c], with: { run: "true" } }
  b: { task: shell, with: { run: "cat \${{ stages.a.out }}" } }
  c: { task: shell, needs: [b], with: { run: "true" } }
  d: { task: shell, needs: [c], with: { run: "true" } }
`;
  const lines = problems(text);
  assert.equal(lines.length, 1);
  assert.match(lines[0]!, /^\/p\/x\.yaml:\d+:3: stage "[abc]": Cycle between stages: /);
  const cycle = lines[0]!.split(": ").at(-1)!.split(" -> ");
  assert.deepEqual(new Set(cycle), new Set(["a", "b", "c"]));
  assert.equal(cycle.length, 4);
  const stage = /stage "(\w)"/.exec(lines[0]!)![1]!;
  assert.ok(lines[0]!.startsWith(`/p/x.yaml:${pos(text, `  ${stage}:`).replace(/:1$/, ":3")}`));
});

Deno.test("compilePipeline() rejects duplicate ids after expansion", () => {
  const text = "name: x\nstages:\n  a:\n    task: shell\n    matrix: { k: [1, '1'] }\n" +
    "    with: { run: 'true' }\n";
  assert.deepEqual(problems(text), [
    `/p/x.yaml:${
      pos(text, "{ k")
    }: stage "a[k=1]", field "matrix": Duplicate stage id "a[k=1]" after matrix expansion: make the matrix values distinct`,
  ]);
});

Deno.test("compilePipeline() rejects empty matrices", () => {
  const empty =
    "name: x\nstages:\n  a:\n    task: shell\n    matrix: {}\n    with: { run: 'true' }\n";
  assert.deepEqual(problems(empty), [
    `/p/x.yaml:5:13: stage "a", field "matrix": Empty matrix: give at least one axis`,
  ]);
  const noValues = empty.replace("{}", "{ k: [] }");
  assert.deepEqual(problems(noValues), [
    `/p/x.yaml:5:18: stage "a", field "matrix.k": Matrix axis "k" must be a non-empty list of values`,
  ]);
  const excluded = empty.replace("{}", "{ k: [1] }\n    exclude: [{ k: 1 }]");
  assert.deepEqual(problems(excluded), [
    `/p/x.yaml:5:13: stage "a", field "matrix": Empty matrix: every combination is excluded`,
  ]);
});

Deno.test("compilePipeline() reports an empty matrix even after another stage's problem", () => {
  const text = `name: x
stages:
  a: { task: shell, with: { run: "\${{ params.nope }}" } }
  b: { task: shell, matrix: {}, with: { run: "true" } }
`;
  const lines = problems(text);
  assert.ok(lines.some((l) => l.includes("Empty matrix")), lines.join("\n"));
});

Deno.test("compilePipeline() checks include, exclude, stage names and the pipeline name", () => {
  const include = `name: x
stages:
  a:
    task: shell
    matrix: { k: [1], j: [2] }
    include: [{ k: 3 }]
    with: { run: "true" }
`;
  assert.deepEqual(problems(include), [
    `/p/x.yaml:${
      pos(include, "{ k: 3")
    }: stage "a", field "include.0": Each include must give every matrix axis: k, j`,
  ]);
  const noMatrix = "name: x\nstages:\n  a:\n    task: shell\n    exclude: [{ k: 1 }]\n";
  assert.deepEqual(problems(noMatrix), [
    `/p/x.yaml:5:14: stage "a", field "exclude": \`exclude\` and \`include\` need a \`matrix\``,
  ]);
  const badName = "stages:\n  my stage: { task: shell, with: { run: 'true' } }\n";
  assert.deepEqual(problems(badName), [
    `/p/x.yaml:1:1: field "name": Expected a non-empty string \`name\``,
    `/p/x.yaml:2:3: stage "my stage": Invalid stage name "my stage": use letters, digits, "_" and "-"`,
  ]);
});

Deno.test("compilePipeline() renders params in a matrix axis but refuses stage outputs there", () => {
  const text = `name: x
params: { seeds: [1, 2] }
stages:
  a: { task: shell, with: { run: "true" } }
  b:
    task: shell
    matrix: { seed: "\${{ params.seeds }}", dir: "\${{ stages.a.out }}" }
    with: { run: "true" }
`;
  assert.deepEqual(problems(text), [
    `/p/x.yaml:${
      pos(text, '"${{ stages')
    }: stage "b", field "matrix.dir": "stages.a.out" cannot be used in a matrix`,
  ]);
});

/** The `PipelineError` that `fn` throws. */
function rejection(fn: () => unknown): PipelineError {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof PipelineError, `expected a PipelineError, got ${error}`);
    return error;
  }
  assert.fail("expected a PipelineError");
}

Deno.test("compilePipeline() reports the pipeline's edge limit for the stage, with no field", () => {
  const text = `name: fan
stages:
  s:
    task: shell
    matrix: {a: [0, 1, 2, 3], b: [0, 1, 2, 3]}
    with: {run: "echo \${{ matrix.a }}"}
  t:
    task: shell
    matrix: {a: [0, 1, 2, 3], b: [0, 1, 2, 3]}
    with: {run: "cat \${{ stages.s.out }}"}
`;
  const error = rejection(() =>
    compilePipeline(parsePipelineSource("/p/x.yaml", text), {
      tasks: TASKS,
      overrides: [],
      limits: { pipelineEdges: 10 },
    })
  );
  assert.equal(
    error.message,
    `/p/x.yaml:${
      pos(text, "task", 1)
    }: stage "t[a=2,b=2]": The pipeline's stages read from more than 10 upstream stages in all (the limit; matrix stages referencing each other multiply); set DROPLINE_MAX_PIPELINE_EDGES to raise it`,
  );
  assert.equal(error.problems[0]!.field, undefined);
});

Deno.test("parsePipelineSource() counts a document's values against the limit, aliases or not", () => {
  const message = (text: string) =>
    rejection(() => parsePipelineSource("p.yaml", text, { yamlNodes: 5 }));
  assert.equal(
    message("name: x\nstages: {a: {task: shell}}\n").message,
    "p.yaml: The document holds 9 values (aliases expanded), more than the limit of 5; set DROPLINE_MAX_YAML_NODES to raise it",
  );
  assert.equal(
    message("a: &l [1, 2, 3]\nb: *l\n").message,
    'p.yaml:2:4: The document holds 11 values (aliases expanded; "*l" alone expands to 4), more than the limit of 5; set DROPLINE_MAX_YAML_NODES to raise it',
  );
});

/** The problem lines of compiling `text` with one task, `schema` its `with`. */
function problemsWithSchema(schema: z.ZodType, text: string): string[] {
  const task = defineTask({
    name: "t",
    version: 1,
    description: "A task for one test",
    module: import.meta.url,
    schema,
    outputs: () => [],
    run: () => Promise.resolve(),
  });
  try {
    compilePipeline(parsePipelineSource("/p/x.yaml", text), {
      tasks: new Map([["t", task]]),
      overrides: parseOverrides([]),
    });
  } catch (error) {
    assert.ok(error instanceof PipelineError);
    return error.message.split("\n");
  }
  return [];
}

Deno.test("compilePipeline() says which value is out of range, so a matrix's expansions are told apart", () => {
  const text = `name: b
stages:
  t:
    task: t
    matrix:
      p: [-0.1, 0.5, 1]
    with:
      p: \${{ matrix.p }}
      tags: []
`;
  const schema = z.strictObject({
    p: z.number().min(0).max(0.99),
    tags: z.array(z.string()).min(1),
  });
  assert.deepEqual(problemsWithSchema(schema, text), [
    '/p/x.yaml:8:10: stage "t[p=-0.1]", field "with.p": Too small: expected number to be >=0, got -0.1',
    '/p/x.yaml:9:13: stage "t", field "with.tags": Too small: expected array to have >=1 items',
    '/p/x.yaml:8:10: stage "t[p=1]", field "with.p": Too big: expected number to be <=0.99, got 1',
  ]);
});

Deno.test("parsePipelineSource() names a YAML merge key as unsupported, not as an unknown parameter", () => {
  const text = `name: m
params: &base
  lr: 0.1
stages:
  t:
    task: train
    with:
      <<: *base
`;
  assert.throws(
    () => parsePipelineSource("/p/x.yaml", text),
    (error: unknown) =>
      error instanceof PipelineError &&
      error.message === "/p/x.yaml:8:7: YAML merge keys (`<<: *anchor`) are not supported: " +
          "write the fields out, or share values through `params` and `${{ params.name }}`",
  );
});

Deno.test("compilePipeline() lists the keys of the union option a discriminator picks", () => {
  const text = `name: u
stages:
  t:
    task: t
    with:
      kind: mlp
      filters: [4]
`;
  const schema = z.discriminatedUnion("kind", [
    z.strictObject({ kind: z.literal("cnn"), filters: z.array(z.int()) }),
    z.strictObject({ kind: z.literal("mlp"), hidden: z.array(z.int()) }),
  ]);
  assert.deepEqual(problemsWithSchema(schema, text), [
    '/p/x.yaml:6:7: stage "t", field "with.hidden": Missing required field: expected array',
    '/p/x.yaml:7:7: stage "t", field "with.filters": Unknown parameter "filters"; expected one of kind, hidden',
  ]);
});
