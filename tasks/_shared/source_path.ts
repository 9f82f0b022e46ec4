/** Helpers for sources given as http(s) URLs, file URLs or local paths. */

/** The local file a source names (file URL or path), or null for http(s). */
export function localPathOf(source: string): string | null {
  if (/^https?:\/\//i.test(source)) return null;
  if (/^file:\/\//i.test(source)) return decodeURIComponent(new URL(source).pathname);
  return source;
}

/** The last path segment of a URL or path ("PACS.zip"), "download" when there is none. */
export function fileNameOf(source: string): string {
  const path = /^[a-z][a-z0-9+.-]*:\/\//i.test(source) ? new URL(source).pathname : source;
  const last = path.split("/").filter((s) => s).at(-1);
  return last ? decodeURIComponent(last) : "download";
}

/**
 * A relative local path made absolute against the pipeline's directory
 * (`ctx.workDir`, as the engine keys it); URLs and absolute paths unchanged.
 */
export function againstWorkDir(source: string, workDir: string | undefined): string {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(source) || source.startsWith("/")) return source;
  return `${workDir ?? Deno.cwd()}/${source}`;
}
