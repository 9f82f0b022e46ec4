/** Helpers for sources given as http(s) URLs, file URLs or local paths. */

const SCHEME = /^([a-z][a-z0-9+.-]*):\/\//i;

/** The local file a source names (file URL or path), or null for any other URL. */
export function localPathOf(source: string): string | null {
  const scheme = SCHEME.exec(source)?.[1]?.toLowerCase();
  if (scheme === "file") return decodeURIComponent(new URL(source).pathname);
  return scheme === undefined ? source : null;
}

/** The scheme of a URL that no fetching task reads ("ftp"), or undefined. */
export function unsupportedScheme(source: string): string | undefined {
  const scheme = SCHEME.exec(source)?.[1]?.toLowerCase();
  return scheme === undefined || ["http", "https", "file"].includes(scheme) ? undefined : scheme;
}

/** Whether `name` can name a file inside a directory: one segment, not `.` or `..`. */
export function isFileName(name: string): boolean {
  return name !== "" && name !== "." && name !== ".." && !/[/\\\0]/.test(name);
}

/**
 * The last path segment of a URL or path ("PACS.zip"), decoded; "download"
 * when there is none, or when it decodes to something that is not a file name
 * (`..%2F..%2Fx`: a name must never lead outside the stage's directory).
 */
export function fileNameOf(source: string): string {
  const decoded = lastSegmentOf(source);
  return decoded !== undefined && isFileName(decoded) ? decoded : "download";
}

/** The decoded last path segment of a URL or path, if it has one. */
export function lastSegmentOf(source: string): string | undefined {
  const path = SCHEME.test(source) ? new URL(source).pathname : source;
  const last = path.split("/").filter((s) => s).at(-1);
  if (last === undefined) return undefined;
  try {
    return decodeURIComponent(last);
  } catch {
    return last;
  }
}

/** `text` with the password of every URL in it hidden (`https://ada:***@host/`), for logs. */
export function hidePasswords(text: string): string {
  return text.replace(/\b([a-z][a-z0-9+.-]*:\/\/[^/@:\s"]*):[^/@\s"]*@/gi, "$1:***@");
}

/**
 * A relative local path made absolute against the pipeline's directory
 * (`ctx.workDir`, as the engine keys it); URLs and absolute paths unchanged.
 */
export function againstWorkDir(source: string, workDir: string | undefined): string {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(source) || source.startsWith("/")) return source;
  return `${workDir ?? Deno.cwd()}/${source}`;
}
