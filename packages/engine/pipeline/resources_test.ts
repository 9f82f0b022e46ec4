import assert from "node:assert/strict";
import { TASKS } from "@dropline/tasks";
import { compilePipeline } from "./compile.ts";
import { PipelineError } from "./problem.ts";
import { parseDuration, parseMemory, readResources } from "./resources.ts";
import { parsePipelineSource } from "./source.ts";

function compile(text: string) {
  return compilePipeline(parsePipelineSource("/p/x.yaml", text), { tasks: TASKS });
}

function problems(text: string): string[] {
  try {
    compile(text);
  } catch (error) {
    assert.ok(error instanceof PipelineError, `expected a PipelineError, got ${error}`);
    return error.message.split("\n");
  }
  assert.fail("expected the pipeline to be rejected");
}

Deno.test("parseMemory() reads Slurm's units and bare MiB", () => {
  assert.equal(parseMemory("500M"), 500);
  assert.equal(parseMemory("4G"), 4096);
  assert.equal(parseMemory("1.5GB"), 1536);
  assert.equal(parseMemory("2GiB"), 2048);
  assert.equal(parseMemory("1t"), 1048576);
  assert.equal(parseMemory("2048K"), 2);
  assert.equal(parseMemory(300), 300);
  assert.equal(parseMemory("300"), 300);
  for (const bad of ["", "4X", "-1G", "0", "G", true, [1]]) {
    assert.match(String(parseMemory(bad)), /^Expected memory like "500M", "4G"/, String(bad));
  }
});

Deno.test("parseDuration() reads unit suffixes, Slurm's formats and minutes", () => {
  assert.equal(parseDuration("90s"), 90);
  assert.equal(parseDuration("30m"), 1800);
  assert.equal(parseDuration("30min"), 1800);
  assert.equal(parseDuration("2h"), 7200);
  assert.equal(parseDuration("1h30m"), 5400);
  assert.equal(parseDuration("1d12h"), 129600);
  assert.equal(parseDuration(15), 900);
  assert.equal(parseDuration("15"), 900);
  assert.equal(parseDuration("10:30"), 630);
  assert.equal(parseDuration("1:00:00"), 3600);
  assert.equal(parseDuration("2-12"), 216000);
  assert.equal(parseDuration("1-00:30"), 88200);
  assert.equal(parseDuration("1-00:00:10"), 86410);
  for (const bad of ["", "soon", "0", "1.5h", 1.5, -3, "1:2:3:4"]) {
    assert.match(String(parseDuration(bad)), /^Expected a time limit like "30m"/, String(bad));
  }
});

Deno.test("readResources() normalises every field", () => {
  const problems: string[] = [];
  const resources = readResources(
    {
      cpus: 4,
      mem: "8G",
      time: "2h",
      gpus: "a100:2",
      partition: "gpu",
      account: "lab",
      extra: ["--constraint=avx2", "--qos=short"],
      group_size: "50",
      group_time: "30m",
    },
    ["resources"],
    (_, m) => problems.push(m),
  );
  assert.deepEqual(problems, []);
  assert.deepEqual(resources, {
    cpus: 4,
    memMiB: 8192,
    timeSeconds: 7200,
    gpus: "a100:2",
    partition: "gpu",
    account: "lab",
    extra: ["--constraint=avx2", "--qos=short"],
    groupSize: 50,
    groupSeconds: 1800,
  });
});

Deno.test("readResources() refuses flags dropline sets itself", () => {
  const found: string[] = [];
  readResources(
    { extra: ["--job-name=x", "-o", "plain", "--array=1-3"] },
    ["resources"],
    (path, message) => found.push(`${path.join(".")}: ${message}`),
  );
  assert.deepEqual(found, [
    'resources.extra.0: "--job-name" is set by dropline (it tags and tracks the run\'s jobs)',
    'resources.extra.1: "-o" is --output, set by dropline (it tags and tracks the run\'s jobs)',
    'resources.extra.2: Expected an sbatch flag starting with "-", got "plain"',
    'resources.extra.3: "--array" is set by dropline (it tags and tracks the run\'s jobs)',
  ]);
});

Deno.test("readResources() refuses dropline's flags in every spelling sbatch accepts", () => {
  const found: string[] = [];
  const spellings = ["-Jfoo", "-o/tmp/x.out", "-D/tmp", "-e/tmp/e", "-HJx", "--job=x", "--out=/o"];
  readResources(
    { extra: [...spellings, "--comm", "--chdir /tmp"] },
    ["r"],
    (path, message) => found.push(`${path.at(-1)}: ${message}`),
  );
  assert.deepEqual(found, [
    '0: "-Jfoo" is --job-name, set by dropline (it tags and tracks the run\'s jobs)',
    '1: "-o/tmp/x.out" is --output, set by dropline (it tags and tracks the run\'s jobs)',
    '2: "-D/tmp" is --chdir, set by dropline (it tags and tracks the run\'s jobs)',
    '3: "-e/tmp/e" is --error, set by dropline (it tags and tracks the run\'s jobs)',
    '4: "-HJx" is --job-name, set by dropline (it tags and tracks the run\'s jobs)',
    '5: "--job" is --job-name, set by dropline (it tags and tracks the run\'s jobs)',
    '6: "--out" is --output, set by dropline (it tags and tracks the run\'s jobs)',
    '7: "--comm" is --comment, set by dropline (it tags and tracks the run\'s jobs)',
    '8: "--chdir /tmp" is --chdir, set by dropline (it tags and tracks the run\'s jobs)',
  ]);
  // A value is not read as letters, nor is an option that only starts like one of them.
  const fine = ["-C/a/J", "--constraint=J", "-xnodeJ", "--mem-bind=local", "--time-min=5"];
  assert.deepEqual(
    readResources({ extra: fine }, ["r"], (_, m) => assert.fail(m)),
    { extra: fine },
  );
});

Deno.test("readResources() refuses an extra flag that repeats a field of the same resources", () => {
  const found: string[] = [];
  readResources(
    { extra: ["--mem=2G", "-c4", "--time", "-pdebug", "--gpus=1", "--qos=x"], mem: "1G", cpus: 2 },
    ["resources"],
    (path, message) => found.push(`${path.join(".")}: ${message}`),
  );
  assert.deepEqual(found, [
    'resources.extra.0: "--mem" repeats `mem` of the same resources: give it once',
    'resources.extra.1: "-c4" is --cpus-per-task, which repeats `cpus` of the same resources: give it once',
  ]);
});

Deno.test("compilePipeline() locates an extra flag that repeats a stage's field", () => {
  const text = SWEEP.replace(
    'time: "${{ matrix.cpus }}h"\n',
    'time: "${{ matrix.cpus }}h"\n      mem: 1G\n      extra: ["--mem-per-cpu=2G"]\n',
  );
  assert.deepEqual(problems(text), [
    '/p/x.yaml:18:15: stage "train[cpus=1]", field "resources.extra.0": "--mem-per-cpu" repeats `mem` of the same resources: give it once',
  ]);
});

const SWEEP = `name: sweep
executor: slurm
params:
  mem: 2G
resources:
  mem: \${{ params.mem }}
  time: 10m
  partition: debug
stages:
  train:
    task: shell
    matrix:
      cpus: [1, 4]
    resources:
      cpus: \${{ matrix.cpus }}
      time: "\${{ matrix.cpus }}h"
    with:
      run: echo \${{ matrix.cpus }} > "$OUT/x"
  report:
    task: shell
    needs: [train]
    with:
      run: "true"
`;

Deno.test("compilePipeline() merges default resources with matrix-rendered stage resources", () => {
  const pipeline = compile(SWEEP);
  assert.equal(pipeline.executor, "slurm");
  const resources = Object.fromEntries(pipeline.stages.map((s) => [s.id, s.resources]));
  assert.deepEqual(resources, {
    "train[cpus=1]": { memMiB: 2048, timeSeconds: 3600, partition: "debug", cpus: 1 },
    "train[cpus=4]": { memMiB: 2048, timeSeconds: 14400, partition: "debug", cpus: 4 },
    report: { memMiB: 2048, timeSeconds: 600, partition: "debug" },
  });
});

Deno.test("compilePipeline() locates bad resources at file:line:column, once per stage", () => {
  const text = SWEEP.replace("time: 10m", "time: soon").replace(
    "cpus: ${{ matrix.cpus }}\n",
    "cpus: ${{ matrix.cpus }}\n      memm: 1G\n      gpus: 0\n",
  );
  assert.deepEqual(problems(text), [
    '/p/x.yaml:7:9: field "resources.time": Expected a time limit like "30m", "2h", "1d12h", "1-12:00:00" or minutes as a number, got "soon"',
    '/p/x.yaml:16:7: stage "train[cpus=1]", field "resources.memm": Unknown resource "memm" (did you mean "mem"?); expected one of cpus, mem, time, gpus, partition, account, extra, group_size, group_time',
    '/p/x.yaml:17:13: stage "train[cpus=1]", field "resources.gpus": Expected a GPU count or "type:count" (e.g. 1, "a100:2"), got 0',
  ]);
});

Deno.test("compilePipeline() reports a matrix value that is not a resource for its expansion", () => {
  const text = SWEEP.replace("cpus: [1, 4]", "cpus: [1, many]");
  assert.deepEqual(problems(text), [
    '/p/x.yaml:15:13: stage "train[cpus=many]", field "resources.cpus": Expected a positive whole number, got "many"',
    '/p/x.yaml:16:13: stage "train[cpus=many]", field "resources.time": Expected a time limit like "30m", "2h", "1d12h", "1-12:00:00" or minutes as a number, got "manyh"',
  ]);
});

Deno.test("compilePipeline() rejects an unknown executor and resources that are not a map", () => {
  const text = "name: x\nexecutor: slurmm\nresources: 4\nstages:\n  a:\n    task: shell\n" +
    "    resources: [1]\n    with: { run: 'true' }\n";
  assert.deepEqual(problems(text), [
    '/p/x.yaml:2:11: field "executor": Unknown executor "slurmm" (did you mean "slurm"?); expected one of local, slurm',
    '/p/x.yaml:3:12: field "resources": Expected a map of default resources (cpus, mem, time, ...)',
    '/p/x.yaml:7:16: stage "a", field "resources": Expected a map of resources (cpus, mem, time, ...)',
  ]);
});

Deno.test("compilePipeline() refuses an extra flag that sets a field the other side of the defaults gives", () => {
  const stageExtra = SWEEP.replace(
    'time: "${{ matrix.cpus }}h"\n',
    'time: "${{ matrix.cpus }}h"\n      extra: ["--constraint=a100", "--mem=8G"]\n',
  );
  assert.deepEqual(problems(stageExtra), [
    '/p/x.yaml:17:36: stage "train[cpus=1]", field "resources.extra.1": "--mem=8G" sets `mem`, which the pipeline\'s default resources also give: set `mem` in this stage\'s resources instead',
  ]);
  const defaultExtra = SWEEP.replace(
    "  partition: debug\n",
    '  partition: debug\n  extra: ["-c2"]\n',
  );
  assert.deepEqual(problems(defaultExtra), [
    '/p/x.yaml:16:13: stage "train[cpus=1]", field "resources.cpus": The pipeline\'s default extra flag "-c2" also sets `cpus`: give `cpus` in the defaults instead of that flag',
  ]);
});
