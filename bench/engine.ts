/**
 * `deno task bench engine [sizes...] [--repeat R] [--snakemake-max N]`: N trivial shell stages
 * fanning into one stage that reads every output through a reference (the DAG of
 * ../shared/bench/snakemake_1000.sh: the final stage lists `$d/v.txt` for each referenced
 * directory and pipes them to one `xargs cat`). Measures compile and plan in-process, then the
 * cold run, the no-op run and `status` through the CLI (process start included, as a user sees
 * it). When `snakemake` is on the PATH, the same DAG under Snakemake is timed in the same minutes,
 * interleaved with dropline's runs, and the ratios are printed: the machine may be shared, so only
 * side-by-side ratios mean anything. Load averages are recorded before and after.
 */
import { join } from "node:path";
import { loadavg } from "node:os";
import { loadPipeline, planPipeline, Store } from "@dropline/engine";
import { TASKS } from "@dropline/tasks";

const CLI = new URL("../packages/cli/main.ts", import.meta.url).pathname;

/** The V8 flags `deno task run` gives the CLI (deno.json): the bench times what users run. */
const CLI_FLAGS = (JSON.parse(Deno.readTextFileSync(new URL("../deno.json", import.meta.url)))
  .tasks.run as string).split(" ").filter((arg) => arg.startsWith("--v8-flags="));

/** The synthetic pipeline's YAML: `stages` leaves and one fan-in stage reading them all. */
export function syntheticPipeline(stages: number): string {
  return `name: bench-${stages}
stages:
  leaf:
    task: shell
    matrix:
      i: [${Array.from({ length: stages }, (_, i) => i).join(", ")}]
    with:
      run: echo $(( \${{ matrix.i }} * 2 )) > "$OUT/v.txt"
      outputs: [v.txt]
  final:
    task: shell
    with:
      run: for d in \${{ stages.leaf.out }}; do echo "$d/v.txt"; done | xargs -d '\\n' cat | wc -l > "$OUT/final.txt"
      outputs: [final.txt]
`;
}

/** The same DAG for Snakemake. */
export function snakefile(stages: number): string {
  return `rule all:
    input: "out/final.txt"
rule leaf:
    output: "out/leaf_{i}/v.txt"
    params: p=lambda w: int(w.i) * 2
    shell: "echo {params.p} > {output}"
rule final:
    input: expand("out/leaf_{i}/v.txt", i=range(${stages}))
    output: "out/final.txt"
    shell: "for f in {input}; do echo $f; done | xargs cat | wc -l > {output}"
`;
}

async function timed(command: string, args: string[], cwd?: string): Promise<number> {
  const started = performance.now();
  const { code, stderr } = await new Deno.Command(command, {
    args,
    ...(cwd ? { cwd } : {}),
    stdout: "null",
    stderr: "piped",
  }).output();
  if (code !== 0) {
    throw new Error(`${command} ${args.join(" ")} failed: ${new TextDecoder().decode(stderr)}`);
  }
  return Math.round(performance.now() - started);
}

const dropline = (args: string[]) =>
  timed(Deno.execPath(), ["run", "-A", ...CLI_FLAGS, CLI, ...args]);

async function hasSnakemake(): Promise<boolean> {
  try {
    return (await new Deno.Command("snakemake", { args: ["--version"], stdout: "null" }).output())
      .success;
  } catch {
    return false;
  }
}

interface Sample {
  cold: number;
  noop: number;
  status: number;
  snakemake?: { cold: number; noop: number };
}

/** One round: dropline cold, Snakemake cold, dropline no-op and status, Snakemake no-op. */
async function round(stages: number, jobs: number, snakemake: boolean): Promise<Sample> {
  const dir = await Deno.makeTempDir({ prefix: "dropline-bench-" });
  try {
    const file = join(dir, "pipeline.yaml");
    const cache = join(dir, "cache");
    await Deno.writeTextFile(file, syntheticPipeline(stages));
    await Deno.mkdir(join(dir, "smk"));
    await Deno.writeTextFile(join(dir, "smk", "Snakefile"), snakefile(stages));
    const smk = () => timed("snakemake", ["--cores", String(jobs), "-q"], join(dir, "smk"));
    const run = [file, "--cache-dir", cache, "--jobs", String(jobs)];
    const cold = await dropline(["run", ...run]);
    const smkCold = snakemake ? await smk() : 0;
    const noop = await dropline(["run", ...run]);
    const status = await dropline(["status", file, "--cache-dir", cache]);
    const smkNoop = snakemake ? await smk() : 0;
    return {
      cold,
      noop,
      status,
      ...(snakemake ? { snakemake: { cold: smkCold, noop: smkNoop } } : {}),
    };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function inProcess(stages: number) {
  const dir = await Deno.makeTempDir({ prefix: "dropline-bench-" });
  try {
    const file = join(dir, "pipeline.yaml");
    await Deno.writeTextFile(file, syntheticPipeline(stages));
    let started = performance.now();
    const pipeline = await loadPipeline(file, { tasks: TASKS });
    const compileMs = performance.now() - started;
    started = performance.now();
    await planPipeline(pipeline, new Store(join(dir, "cache")), undefined, new Set());
    return { compile_ms: Math.round(compileMs), plan_ms: Math.round(performance.now() - started) };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1]!;
const ratio = (a: number, b: number) => Number((a / b).toFixed(1));

async function measure(stages: number, jobs: number, repeat: number, snakemake: boolean) {
  const load_before = loadavg().map((l) => Number(l.toFixed(2)));
  const samples: Sample[] = [];
  for (let r = 0; r < repeat; r++) samples.push(await round(stages, jobs, snakemake));
  const cold = median(samples.map((s) => s.cold));
  const noop = median(samples.map((s) => s.noop));
  const result: Record<string, unknown> = {
    stages: stages + 1,
    jobs,
    ...(await inProcess(stages)),
    cold_run_ms: cold,
    noop_run_ms: noop,
    status_ms: median(samples.map((s) => s.status)),
    cold_ms_per_stage: Number((cold / (stages + 1)).toFixed(2)),
    samples,
  };
  if (snakemake) {
    const smkCold = median(samples.map((s) => s.snakemake!.cold));
    const smkNoop = median(samples.map((s) => s.snakemake!.noop));
    result.snakemake = { cold_run_ms: smkCold, noop_run_ms: smkNoop };
    result.faster_than_snakemake = { cold: ratio(smkCold, cold), noop: ratio(smkNoop, noop) };
  }
  result.load_average = { before: load_before, after: loadavg().map((l) => Number(l.toFixed(2))) };
  return result;
}

/** Runs the engine benchmark for each size (default 1,000 and 10,000 leaves). */
export default async function engineBench(args: string[]): Promise<unknown> {
  const option = (name: string, fallback: number) => {
    const at = args.indexOf(name);
    if (at < 0) return fallback;
    const value = Number(args[at + 1]);
    args.splice(at, 2);
    return value;
  };
  const repeat = option("--repeat", 1);
  const snakemakeMax = option("--snakemake-max", 1000);
  const sizes = args.length ? args.map(Number) : [1000, 10000];
  const jobs = navigator.hardwareConcurrency;
  const snakemake = await hasSnakemake();
  const results = [];
  for (const size of sizes) {
    results.push(await measure(size, jobs, repeat, snakemake && size <= snakemakeMax));
  }
  return {
    results,
    ...(snakemake ? {} : { snakemake: "not installed (apt-get install snakemake to compare)" }),
  };
}
