/** Wires `fetchFile` into a task: progress in bytes, log lines, expected errors as TaskError. */
import { type TaskContext, TaskError } from "@dropline/task";
import { FetchError, fetchFile, type FetchFileResult } from "@dropline/fetch";
import { formatBytes, formatDuration } from "@dropline/format";
import { hidePasswords } from "./source_path.ts";

/** Retry settings shared by the fetching tasks' parameters. */
export interface RetrySettings {
  retries: number;
  /** Seconds before the first retry. */
  retry_delay: number;
  /** Seconds without data before a connection is dropped and retried. */
  stall_timeout: number;
}

/** Fetches `source` to `dest`, keeping partial bytes in the checkpoint dir as `partialName`. */
export async function fetchForTask(
  ctx: TaskContext<unknown>,
  source: string,
  dest: string,
  options: RetrySettings & {
    sha256?: string | undefined;
    md5?: string | undefined;
    partialName: string;
  },
): Promise<FetchFileResult> {
  ctx.log.info(`Fetching ${hidePasswords(source)}`);
  try {
    const result = await fetchFile(source, dest, {
      partialPath: `${ctx.checkpointDir}/${options.partialName}.part`,
      sha256: options.sha256,
      md5: options.md5,
      retries: options.retries,
      retryDelayMs: options.retry_delay * 1000,
      stallTimeoutMs: options.stall_timeout * 1000,
      signal: ctx.signal,
      onProgress: (p) =>
        ctx.progress({
          done: p.done,
          ...(p.total === undefined ? {} : { total: p.total }),
          unit: "bytes",
          note: `${formatBytes(p.rate)}/s${
            p.eta === undefined ? "" : `, ETA ${formatDuration(p.eta * 1000)}`
          }`,
        }),
      onRetry: (attempt, reason, delayMs) =>
        ctx.log.warn(
          `Attempt ${attempt} failed (${hidePasswords(reason)}); retrying in ${
            formatDuration(delayMs)
          }`,
        ),
    });
    if (result.resumedFrom > 0) {
      ctx.log.info(`Resumed a partial download at ${formatBytes(result.resumedFrom)}`);
    }
    ctx.log.info(
      `Fetched ${formatBytes(result.bytes)}, sha256 ${result.sha256}, md5 ${result.md5}`,
    );
    return result;
  } catch (error) {
    throw asTaskError(error);
  }
}

/**
 * FetchErrors are expected failures: shown as their message, without a stack
 * (and without a password the URL may hold).
 */
export function asTaskError(error: unknown): unknown {
  return error instanceof FetchError ? new TaskError(hidePasswords(error.message)) : error;
}
