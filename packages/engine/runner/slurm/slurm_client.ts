/**
 * The Slurm commands the executor calls. An interface, so the executor's
 * logic can be driven without a cluster; {@link CommandSlurmClient} runs the
 * real `sbatch`, `squeue`, `sacct` and `scancel`.
 */
import {
  accountingDisabled,
  type JobObservation,
  parseSacct,
  parseSqueue,
  sacctArgs,
  squeueArgs,
} from "./squeue.ts";

/** Talks to a Slurm controller. */
export interface SlurmClient {
  /** Submits a batch script; resolves with the job id. */
  sbatch(args: readonly string[], script: string): Promise<string>;
  /** Every job with one of `names`, finished ones included (one query). */
  squeue(names: readonly string[]): Promise<JobObservation[]>;
  /** End states from accounting, or "unavailable" when the cluster keeps none. */
  sacct(jobIds: readonly string[]): Promise<JobObservation[] | "unavailable">;
  scancel(jobIds: readonly string[]): Promise<void>;
}

/** A Slurm command that failed: its name and what it printed. */
export class SlurmCommandError extends Error {
  override name = "SlurmCommandError";
}

/** Runs the Slurm client commands found on PATH (`SLURM_CONF` as the environment says). */
export class CommandSlurmClient implements SlurmClient {
  async sbatch(args: readonly string[], script: string): Promise<string> {
    const out = await run("sbatch", [...args, script]);
    // `--parsable` prints `id` or `id;cluster`.
    const id = out.split(";")[0]!.trim();
    if (!/^\d+$/.test(id)) throw new SlurmCommandError(`sbatch printed no job id: "${out.trim()}"`);
    return id;
  }

  async squeue(names: readonly string[]): Promise<JobObservation[]> {
    return parseSqueue(await run("squeue", squeueArgs(names)));
  }

  async sacct(jobIds: readonly string[]): Promise<JobObservation[] | "unavailable"> {
    try {
      return parseSacct(await run("sacct", sacctArgs(jobIds)));
    } catch (error) {
      if (error instanceof SlurmCommandError && accountingDisabled(error.message)) {
        return "unavailable";
      }
      throw error;
    }
  }

  async scancel(jobIds: readonly string[]): Promise<void> {
    if (jobIds.length > 0) await run("scancel", [...jobIds]);
  }
}

async function run(command: string, args: readonly string[]): Promise<string> {
  let output: Deno.CommandOutput;
  try {
    output = await new Deno.Command(command, { args: [...args], stdin: "null" }).output();
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw new SlurmCommandError(
        `"${command}" is not on PATH: --executor slurm needs Slurm's client commands`,
      );
    }
    throw error;
  }
  const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
  if (!output.success) {
    const said = decode(output.stderr).trim() || decode(output.stdout).trim() ||
      (output.signal ? `killed by ${output.signal}` : "no message");
    throw new SlurmCommandError(`${command} failed (exit ${output.code}): ${said}`);
  }
  return decode(output.stdout);
}
