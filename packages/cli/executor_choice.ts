/**
 * Which executor a run uses: `--executor`, else `DROPLINE_EXECUTOR`, else the
 * pipeline's `executor:`, else local. Slurm is checked before anything runs.
 */
import {
  type CompiledPipeline,
  didYouMean,
  EXECUTOR_NAMES,
  type ExecutorName,
  UsageError,
} from "@dropline/engine/run";

/**
 * The executor to use and where the choice came from.
 *
 * @example
 * ```ts
 * chooseExecutor(undefined, pipeline, {}); // { name: "local", from: "default" }
 * ```
 */
export function chooseExecutor(
  flag: string | undefined,
  pipeline: Pick<CompiledPipeline, "executor">,
  env: { DROPLINE_EXECUTOR?: string | undefined },
): { name: ExecutorName; from: string } {
  const [value, from] = flag !== undefined
    ? [flag, "--executor"]
    : env.DROPLINE_EXECUTOR
    ? [env.DROPLINE_EXECUTOR, "DROPLINE_EXECUTOR"]
    : pipeline.executor
    ? [pipeline.executor, "the pipeline's `executor`"]
    : ["local", "default"];
  if (!(EXECUTOR_NAMES as readonly string[]).includes(value)) {
    throw new UsageError(
      `${from} names an unknown executor "${value}"${didYouMean(value, EXECUTOR_NAMES)}; ` +
        `expected one of ${EXECUTOR_NAMES.join(", ")}`,
    );
  }
  return { name: value as ExecutorName, from };
}

/**
 * Why the Slurm executor cannot be used here (no client commands, no
 * configuration, controller down), naming what chose it; undefined when the
 * controller answers. Not bad usage: the run exits 1.
 *
 * @example
 * ```ts
 * await slurmUnreachable("the pipeline's `executor`");
 * // "Cannot use Slurm (chosen by the pipeline's `executor`): cannot reach the Slurm controller: ..."
 * ```
 */
export async function slurmUnreachable(from: string): Promise<string | undefined> {
  const prefix = `Cannot use Slurm (chosen by ${from})`;
  let output: Deno.CommandOutput;
  try {
    output = await new Deno.Command("sinfo", { args: ["-h", "-o", "%P"], stdin: "null" })
      .output();
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      return `${prefix}: Slurm's commands (sinfo, sbatch, squeue) are not on PATH`;
    }
    throw error;
  }
  if (output.success) return undefined;
  const said = new TextDecoder().decode(output.stderr).trim() || `sinfo exited ${output.code}`;
  return `${prefix}: cannot reach the Slurm controller: ${said}` +
    (Deno.env.get("SLURM_CONF") ? "" : " (SLURM_CONF is not set)");
}
