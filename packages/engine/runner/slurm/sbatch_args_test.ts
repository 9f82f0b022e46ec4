import assert from "node:assert/strict";
import { readResources } from "../../pipeline/resources.ts";
import { sbatchArgs, shellQuote, slurmTime } from "./sbatch_args.ts";
import { jobScript } from "./job_script.ts";

const LABELS = {
  name: "dropline.20261202T052205.241Z-4f1f5d",
  comment: "dropline:sweep:train[lr=0.1, seed=0]",
  output: "/cache/slurm/r/1/slurm.out",
  chdir: "/home/me/project",
};

Deno.test("sbatchArgs() renders every resource after dropline's own flags", () => {
  assert.deepEqual(
    sbatchArgs({
      cpus: 4,
      memMiB: 8192,
      timeSeconds: 5400,
      gpus: "a100:2",
      partition: "gpu",
      account: "lab",
      extra: ["--constraint=avx2", "--qos=short"],
    }, LABELS),
    [
      "--parsable",
      "--job-name=dropline.20261202T052205.241Z-4f1f5d",
      "--comment=dropline:sweep:train[lr=0.1,_seed=0]",
      "--output=/cache/slurm/r/1/slurm.out",
      "--chdir=/home/me/project",
      "--no-requeue",
      "--cpus-per-task=4",
      "--mem=8192M",
      "--time=01:30:00",
      "--gpus=a100:2",
      "--partition=gpu",
      "--account=lab",
      "--constraint=avx2",
      "--qos=short",
    ],
  );
});

Deno.test("sbatchArgs() leaves unset resources to the cluster's defaults", () => {
  assert.deepEqual(sbatchArgs({}, LABELS).slice(6), []);
});

Deno.test("readResources() refuses in `extra` every flag sbatchArgs() sets, in long and short form", () => {
  const fields = { cpus: 4, mem: "8G", time: "2h", gpus: 2, partition: "gpu", account: "lab" };
  const read = readResources(fields, [], () => assert.fail());
  const own = sbatchArgs(read, LABELS).map((flag) => flag.split("=")[0]!);
  const short = { "--job-name": "-J", "--output": "-o", "--chdir": "-D", "--cpus-per-task": "-c" };
  const spellings = [
    ...own,
    ...own.map((f) => `${f}=x`),
    ...Object.values(short).map((s) => `${s}x`),
  ];
  const refused = new Set<number>();
  readResources({ ...fields, extra: spellings }, [], (path) => refused.add(path.at(-1) as number));
  assert.deepEqual(spellings.filter((_, i) => !refused.has(i)), []);
});

Deno.test("slurmTime() writes days only when needed", () => {
  assert.equal(slurmTime(59), "00:00:59");
  assert.equal(slurmTime(3600), "01:00:00");
  assert.equal(slurmTime(86400 + 3661), "1-01:01:01");
});

Deno.test("shellQuote() survives quotes and spaces", () => {
  assert.equal(shellQuote("/my dir/it's"), `'/my dir/it'\\''s'`);
});

Deno.test("jobScript() execs the worker on the spec with quoted paths", () => {
  const script = jobScript({
    deno: "/usr/bin/deno",
    config: "/src/deno.json",
    worker: "/src/packages/engine/runner/slurm/worker.ts",
    spec: "/my cache/slurm/r/1/spec.json",
    runId: "r",
    stageIds: ["a", "b", "c", "d", "e", "f"],
    sbatchArgs: ["--parsable", "--mem=100M"],
  });
  const lines = script.split("\n");
  assert.equal(lines[0], "#!/bin/bash");
  assert.equal(lines[1], "# dropline run r: a, b, c, d, e, ... (6 stages)");
  assert.equal(lines[2], "# submitted as: sbatch '--parsable' '--mem=100M' job.sh");
  assert.equal(
    lines.at(-2),
    "exec '/usr/bin/deno' 'run' '-A' '--quiet' '--no-prompt' '--config' '/src/deno.json' " +
      "'/src/packages/engine/runner/slurm/worker.ts' '/my cache/slurm/r/1/spec.json'",
  );
});
