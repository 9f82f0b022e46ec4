/**
 * `deno task bench engine [sizes...]`: synthetic pipelines of N trivial shell
 * stages plus one fan-in stage (the same DAG as ../shared/bench/snakemake_1000.sh).
 * Measures compile+plan time in-process, then the cold run and the no-op run
 * through the CLI (process start included, as a user sees it).
 */
import { join } from "node:path";
import { loadPipeline, planPipeline, Store } from "@dropline/engine";
import { TASKS } from "@dropline/tasks";

const CLI = new URL("../packages/cli/main.ts", import.meta.url).pathname;

/** The synthetic pipeline's YAML. */
export function syntheticPipeline(stages: number): string {
  return `name: bench-${stages}
params:
  count: ${stages}
stages:
  leaf:
    task: shell
    matrix:
      i: [${Array.from({ length: stages }, (_, i) => i).join(", ")}]
    with:
      run: echo $(( \${{ matrix.i }} * 2 )) > "$OUT/leaf.txt"
      outputs: [leaf.txt]
  final:
    task: shell
    needs: [leaf]
    with:
      run: echo \${{ params.count }} > "$OUT/final.txt"
      outputs: [final.txt]
`;
}

async function timeCli(args: string[]): Promise<number> {
  const started = performance.now();
  const { code, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", CLI, ...args],
    stdout: "null",
    stderr: "piped",
  }).output();
  if (code !== 0) {
    throw new Error(`dropline ${args.join(" ")} failed: ${new TextDecoder().decode(stderr)}`);
  }
  return Math.round(performance.now() - started);
}

async function measure(stages: number, jobs: number) {
  const dir = await Deno.makeTempDir({ prefix: "dropline-bench-" });
  try {
    const file = join(dir, "pipeline.yaml");
    const cache = join(dir, "cache");
    await Deno.writeTextFile(file, syntheticPipeline(stages));
    let started = performance.now();
    const pipeline = await loadPipeline(file, { tasks: TASKS });
    const compileMs = performance.now() - started;
    started = performance.now();
    await planPipeline(pipeline, new Store(cache), undefined, new Set());
    const planMs = performance.now() - started;
    const common = [file, "--cache-dir", cache, "--jobs", String(jobs)];
    const coldMs = await timeCli(["run", ...common]);
    const noopMs = await timeCli(["run", ...common]);
    const statusMs = await timeCli(["status", file, "--cache-dir", cache]);
    return {
      stages: stages + 1,
      jobs,
      compile_ms: Math.round(compileMs),
      plan_ms: Math.round(planMs),
      cold_run_ms: coldMs,
      noop_run_ms: noopMs,
      status_ms: statusMs,
      cold_ms_per_stage: Number((coldMs / (stages + 1)).toFixed(2)),
    };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** Runs the engine benchmark for each size (default 1,000 and 10,000 stages). */
export default async function engineBench(args: string[]): Promise<unknown> {
  const sizes = args.length ? args.map(Number) : [1000, 10000];
  const jobs = navigator.hardwareConcurrency;
  const results = [];
  for (const size of sizes) results.push(await measure(size, jobs));
  return {
    results,
    snakemake_reference_1000: { cold_ms: 36000, noop_ms: 1000, source: "../shared/spec/engine.md" },
  };
}
