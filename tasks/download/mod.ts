/**
 * `download`: fetches one file (http(s) or file URL, or a local path) into the
 * stage's output, resuming partial downloads, verifying an optional sha256,
 * and optionally extracting a zip or tar.gz archive (entries that would
 * escape the output directory are refused).
 */
import { z } from "zod";
import { defineTask, type TaskContext, TaskError } from "@dropline/task";
import { asTaskError, fetchForTask } from "../_shared/fetch_for_task.ts";
import {
  againstWorkDir,
  fileNameOf,
  isFileName,
  lastSegmentOf,
  localPathOf,
  unsupportedScheme,
} from "../_shared/source_path.ts";

const DownloadParams = z.strictObject({
  url: z.string().min(1).describe("http(s) or file URL, or a local path"),
  filename: z.string().refine(isFileName, "must be a file name without directories (not . or ..)")
    .optional()
    .describe("name of the downloaded file; default: the URL's last path segment"),
  sha256: z.string().regex(/^[0-9a-fA-F]{64}$/, "must be 64 hex digits").nullish()
    // null (a pipeline param whose checksum is not known yet) means "not verified", as absent does.
    .transform((v) => v ?? undefined)
    .describe("expected SHA-256 of the file; a mismatch fails the stage and discards the bytes"),
  md5: z.string().regex(/^[0-9a-fA-F]{32}$/, "must be 32 hex digits").nullish()
    .transform((v) => v ?? undefined)
    .describe("expected MD5, for sources that publish only that (prefer sha256)"),
  extract: z.enum(["none", "zip", "tar.gz", "auto"]).default("none")
    .describe("unpack the file into the output directory; auto detects the format"),
  keep_archive: z.boolean().default(false).describe(
    "when extracting, also keep the archive in the output",
  ),
  retries: z.int().min(0).default(5).describe("retries after failures that made no progress"),
  retry_delay: z.number().min(0).default(1).describe("seconds before the first retry (doubling)"),
  stall_timeout: z.number().positive().default(60).describe("seconds without data before retrying"),
}).superRefine((p, ctx) => {
  const scheme = unsupportedScheme(p.url);
  if (scheme) {
    ctx.addIssue({
      code: "custom",
      path: ["url"],
      message: `Unsupported URL scheme "${scheme}:": use http(s), file or a path`,
    });
  }
  const last = lastSegmentOf(p.url);
  if (p.filename === undefined && last !== undefined && !isFileName(last)) {
    ctx.addIssue({
      code: "custom",
      path: ["url"],
      message: `The URL's last segment decodes to "${last}", which is not a file name: ` +
        "give `filename`",
    });
  }
});

type DownloadParams = z.output<typeof DownloadParams>;

function fileName(params: DownloadParams): string {
  return params.filename ?? fileNameOf(params.url);
}

export default defineTask({
  name: "download",
  version: 1,
  description: "Downloads a file (resumable, verified) and optionally extracts a zip or tar.gz",
  module: import.meta.url,
  schema: DownloadParams,
  outputs: (params) => (params.extract === "none" || params.keep_archive ? [fileName(params)] : []),
  inputFiles: (params) => {
    const local = localPathOf(params.url);
    return local ? [local] : [];
  },
  async run(ctx) {
    const params = { ...ctx.params, url: againstWorkDir(ctx.params.url, ctx.workDir) };
    const name = fileName(params);
    if (params.extract === "none") {
      await fetchForTask(ctx, params.url, `${ctx.outDir}/${name}`, {
        ...params,
        partialName: name,
      });
      return;
    }
    // The archive waits in the checkpoint dir, so an interrupted extraction does not download again.
    const archive = `${ctx.checkpointDir}/${name}`;
    const marker = `${ctx.checkpointDir}/${name}.fetched`;
    if (await isFetched(archive, marker, params)) {
      ctx.log.info(`Reusing "${name}" fetched by an earlier attempt`);
    } else {
      const { sha256, md5 } = await fetchForTask(ctx, params.url, archive, {
        ...params,
        partialName: name,
      });
      await Deno.writeTextFile(marker, JSON.stringify({ url: params.url, sha256, md5 }));
    }
    await extractInto(ctx, archive, name, marker);
    if (params.keep_archive) await keepArchive(archive, `${ctx.outDir}/${name}`);
  },
});

/** Copies the archive beside what it held, unless an entry took its name. */
async function keepArchive(archive: string, kept: string): Promise<void> {
  if (await Deno.lstat(kept).then(() => true, () => false)) {
    const name = kept.slice(kept.lastIndexOf("/") + 1);
    throw new TaskError(
      `The archive holds an entry named "${name}", like the archive itself: ` +
        "give `filename` another name to keep both",
    );
  }
  // A second name for the same bytes (both are in the cache directory); a copy elsewhere.
  await Deno.link(archive, kept).catch(() => Deno.copyFile(archive, kept));
}

async function extractInto(
  ctx: TaskContext<DownloadParams>,
  archive: string,
  name: string,
  marker: string,
) {
  const { extractArchive } = await import("@dropline/fetch");
  try {
    const result = await extractArchive(archive, ctx.outDir, {
      format: ctx.params.extract === "none" ? "auto" : ctx.params.extract,
      signal: ctx.signal,
      onProgress: (p) =>
        ctx.progress({
          done: p.files,
          ...(p.totalFiles ? { total: p.totalFiles } : {}),
          unit: "files",
        }),
    });
    ctx.log.info(`Extracted ${result.files} files from ${result.format} archive "${name}"`);
    if (result.skipped.length) {
      const some = result.skipped.slice(0, 5).join(", ");
      ctx.log.warn(`Skipped ${result.skipped.length} links or special entries: ${some}`);
    }
  } catch (error) {
    // An archive no checksum vouched for may be the wrong bytes (an error page, a truncated
    // file): fetch it again next time rather than fail on it forever. An interrupted
    // extraction keeps it, so that resuming does not download again.
    const { sha256, md5 } = ctx.params;
    if (!ctx.signal.aborted && !sha256 && !md5) {
      await Deno.remove(marker).catch(() => {});
      await Deno.remove(archive).catch(() => {});
      throw withNote(
        asTaskError(error),
        "the archive was discarded: the next run fetches it again",
      );
    }
    throw asTaskError(error);
  }
}

/** `error` with a sentence appended to its message (a TaskError stays one). */
function withNote(error: unknown, note: string): unknown {
  if (!(error instanceof Error)) return error;
  return error instanceof TaskError
    ? new TaskError(`${error.message}; ${note}`, { cause: error })
    : error;
}

/** Whether an earlier attempt of this stage already fetched (and verified) the archive. */
async function isFetched(
  archive: string,
  marker: string,
  params: DownloadParams,
): Promise<boolean> {
  try {
    const { url, sha256, md5 } = JSON.parse(await Deno.readTextFile(marker));
    await Deno.stat(archive);
    return url === params.url && (!params.sha256 || params.sha256.toLowerCase() === sha256) &&
      (!params.md5 || params.md5.toLowerCase() === md5);
  } catch {
    return false;
  }
}
