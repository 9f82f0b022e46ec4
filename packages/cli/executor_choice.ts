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
 * Fails with a clear message when the Slurm controller cannot be reached
 * (no client commands, no configuration, controller down).
 */
export async function checkSlurmReachable(): Promise<void> {
  let output: Deno.CommandOutput;
  try {
    output = await new Deno.Command("sinfo", { args: ["-h", "-o", "%P"], stdin: "null" })
      .output();
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw new UsageError(
        "--executor slurm: Slurm's commands (sinfo, sbatch, squeue) are not on PATH",
      );
    }
    throw error;
  }
  if (!output.success) {
    const said = new TextDecoder().decode(output.stderr).trim();
    throw new UsageError(
      `--executor slurm: cannot reach the Slurm controller: ${said}` +
        (Deno.env.get("SLURM_CONF") ? "" : " (SLURM_CONF is not set)"),
    );
  }
}
