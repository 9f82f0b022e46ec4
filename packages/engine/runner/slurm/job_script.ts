/**
 * The batch script of a job: it only starts dropline's worker on the job's
 * spec, so the node runs stages exactly as a local run would. Pure.
 */
import { shellQuote } from "./sbatch_args.ts";

/** What the script starts. */
export interface ScriptParts {
  /** Deno on the nodes. */
  deno: string;
  /** The workspace's deno.json (resolves the task modules' imports). */
  config: string;
  worker: string;
  spec: string;
  /** For the comment at the top. */
  runId: string;
  stageIds: readonly string[];
  sbatchArgs: readonly string[];
}

/**
 * The text of `job.sh`.
 *
 * @example
 * ```ts
 * jobScript({ deno: "/usr/bin/deno", config, worker, spec, runId, stageIds: ["a"], sbatchArgs: [] });
 * ```
 */
export function jobScript(parts: ScriptParts): string {
  const shown = parts.stageIds.slice(0, 5).join(", ") +
    (parts.stageIds.length > 5 ? `, ... (${parts.stageIds.length} stages)` : "");
  const command = [
    parts.deno,
    "run",
    "-A",
    "--quiet",
    "--no-prompt",
    "--config",
    parts.config,
    parts.worker,
    parts.spec,
  ].map(shellQuote).join(" ");
  return [
    "#!/bin/bash",
    `# dropline run ${parts.runId}: ${shown.replace(/\n/g, " ")}`,
    `# submitted as: sbatch ${parts.sbatchArgs.map(shellQuote).join(" ")} job.sh`,
    `# Resubmitting it by hand is safe: stages with a final exit status are skipped.`,
    `exec ${command}`,
    "",
  ].join("\n");
}
