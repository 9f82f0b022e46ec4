/**
 * `deno task bench slurm [stages]`: what running a stage as a Slurm job costs
 * on the local one-node cluster (scripts/slurm_local.sh; started here when it
 * is not running), side by side with the local executor on the same trivial
 * shell stages, through the CLI as a user runs it:
 *
 * - chain: stages that each wait for the previous one (latency per stage),
 * - wide: independent stages, one job each (throughput),
 * - grouped: the same stages packed into jobs of `group_size` stages.
 */
import { join } from "node:path";
import { localCluster } from "../tests/support/slurm_cluster.ts";

const CLI = new URL("../packages/cli/main.ts", import.meta.url).pathname;

function chain(stages: number): string {
  const lines = ["name: chain", "resources:", "  mem: 500M", "stages:"];
  for (let i = 0; i < stages; i++) {
    const input = i === 0 ? "" : `cat \${{ stages.s${i - 1}.out }}/v > /dev/null; `;
    lines.push(
      `  s${i}:`,
      "    task: shell",
      "    with:",
      `      run: ${input}echo ${i} > "$OUT/v"`,
    );
  }
  return lines.join("\n") + "\n";
}

function wide(stages: number, groupSize?: number): string {
  return `name: wide
resources:
  mem: 500M
${groupSize ? `  group_size: ${groupSize}\n` : ""}stages:
  point:
    task: shell
    matrix:
      i: [${Array.from({ length: stages }, (_, i) => i).join(", ")}]
    with:
      run: echo $(( \${{ matrix.i }} * 2 )) > "$OUT/v"
`;
}

async function timeRun(yaml: string, executor: string): Promise<number> {
  const dir = await Deno.makeTempDir({ prefix: "dropline-bench-slurm-" });
  try {
    await Deno.writeTextFile(join(dir, "p.yaml"), yaml);
    const started = performance.now();
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", CLI, "run", "p.yaml", "--executor", executor, "--cache-dir", "cache"],
      cwd: dir,
      stdout: "piped",
      stderr: "piped",
    }).output();
    if (!out.success) {
      const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
      throw new Error(`run failed: ${decode(out.stdout)}${decode(out.stderr)}`);
    }
    return Math.round(performance.now() - started);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function compare(yaml: string, stages: number) {
  const localMs = await timeRun(yaml, "local");
  const slurmMs = await timeRun(yaml, "slurm");
  return {
    stages,
    localMs,
    slurmMs,
    ratio: Number((slurmMs / localMs).toFixed(1)),
    extraMsPerStage: Math.round((slurmMs - localMs) / stages),
  };
}

export default async function (args: string[]) {
  const cluster = await localCluster();
  if (!cluster.ready) throw new Error(`No Slurm cluster: ${cluster.why}`);
  const stages = Number(args[0] ?? 20);
  return {
    cpus: navigator.hardwareConcurrency,
    chain: await compare(chain(5), 5),
    wide: await compare(wide(stages), stages),
    grouped: await compare(wide(stages * 5, stages), stages * 5),
  };
}
