/**
 * `download`: fetches one file (http(s) or file URL, or a local path) into the
 * stage's output, resuming partial downloads, verifying an optional sha256,
 * and optionally extracting a zip or tar.gz archive (entries that would
 * escape the output directory are refused).
 */
import { z } from "zod";
import { defineTask, type TaskContext } from "@dropline/task";
import { asTaskError, fetchForTask } from "../_shared/fetch_for_task.ts";
import { againstWorkDir, fileNameOf, localPathOf } from "../_shared/source_path.ts";

const DownloadParams = z.strictObject({
  url: z.string().min(1).describe("http(s) or file URL, or a local path"),
  filename: z.string().regex(/^[^/\\]+$/, "must be a file name without directories").optional()
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
    const archive = params.keep_archive ? `${ctx.outDir}/${name}` : `${ctx.checkpointDir}/${name}`;
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
    await extractInto(ctx, archive, name);
  },
});

async function extractInto(ctx: TaskContext<DownloadParams>, archive: string, name: string) {
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
    throw asTaskError(error);
  }
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
