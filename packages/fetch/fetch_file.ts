/**
 * Fetches one file from an http(s) URL, a file:// URL or a local path to a
 * destination: streamed to disk with progress, resumed from a partial file
 * with Range requests, retried with backoff on transient errors (server
 * errors, resets, dropped connections), checked against a SHA-256.
 *
 * @example
 * ```ts
 * import { fetchFile } from "./fetch_file.ts";
 *
 * await fetchFile("https://example.org/PACS.zip", "out/PACS.zip", {
 *   partialPath: "checkpoint/PACS.zip.part", // survives interruption
 *   sha256: "9a1b...",
 *   onProgress: (p) => console.log(p.done, p.total, p.rate),
 * });
 * ```
 * @module
 */
import { FetchError } from "./fetch_error.ts";
import { fileDigests } from "./sha256_file.ts";
import { writeAll } from "./_write_all.ts";
import { downloadHttp } from "./_http_download.ts";
import { downloadLimitFromEnv } from "./extract_limits.ts";
import { progressMeter, type TransferProgress } from "./_progress_meter.ts";

export type { TransferProgress } from "./_progress_meter.ts";

/** Options of {@link fetchFile}. */
export interface FetchFileOptions {
  /** Where partial bytes are kept between attempts and runs; default `${dest}.part`. */
  partialPath?: string;
  /** Expected SHA-256 (hex); a mismatch discards the bytes and throws. */
  sha256?: string | undefined;
  /** Expected MD5 (hex), for sources that publish only that; a mismatch discards the bytes and throws. */
  md5?: string | undefined;
  /** Retries after failures that made no progress; default 5. */
  retries?: number;
  /** First retry delay, doubled each time (capped at 30 s); default 1000 ms. */
  retryDelayMs?: number;
  /** A connection silent this long is dropped and retried; default 60 s. */
  stallTimeoutMs?: number;
  /** The most bytes the file may have; default {@link downloadLimitFromEnv}. */
  maxBytes?: number;
  onProgress?: (progress: TransferProgress) => void;
  onRetry?: (attempt: number, reason: string, delayMs: number) => void;
  signal?: AbortSignal;
}

/** What {@link fetchFile} did. */
export interface FetchFileResult {
  bytes: number;
  sha256: string;
  md5: string;
  /** Bytes of an earlier partial download that were reused. */
  resumedFrom: number;
  attempts: number;
}

/**
 * The URL a source names: http(s) and file URLs as given, anything without
 * a scheme as a local path (relative to the working directory).
 *
 * @example
 * ```ts
 * resolveSource("data/PACS.zip").protocol; // "file:"
 * ```
 */
export function resolveSource(source: string): URL {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(source)) {
    const url = new URL(source);
    if (!["http:", "https:", "file:"].includes(url.protocol)) {
      throw new FetchError(
        "http",
        `Unsupported URL scheme "${url.protocol}" in "${source}": use http(s), file or a path`,
      );
    }
    return url;
  }
  const absolute = source.startsWith("/") ? source : `${Deno.cwd()}/${source}`;
  return new URL(`file://${absolute.split("/").map(encodeURIComponent).join("/")}`);
}

/**
 * Fetches `source` into `dest` (its directory is created). Throws
 * {@link FetchError} for expected failures, with the reason in the message.
 *
 * @example
 * ```ts
 * const { bytes, sha256 } = await fetchFile("file:///data/PACS.zip", "/tmp/PACS.zip");
 * ```
 */
export async function fetchFile(
  source: string,
  dest: string,
  options: FetchFileOptions = {},
): Promise<FetchFileResult> {
  const url = resolveSource(source);
  const partial = options.partialPath ?? `${dest}.part`;
  await Deno.mkdir(dirOf(partial), { recursive: true });
  await Deno.mkdir(dirOf(dest), { recursive: true });
  const meter = progressMeter(options.onProgress, performance.now());
  let outcome = { resumedFrom: 0, attempts: 1 };
  if (url.protocol === "file:") await copyLocal(url, partial, meter, options.signal);
  else {
    outcome = await downloadHttp({
      url,
      partial,
      retries: options.retries ?? 5,
      retryDelayMs: options.retryDelayMs ?? 1000,
      stallTimeoutMs: options.stallTimeoutMs ?? 60_000,
      maxBytes: options.maxBytes ?? downloadLimitFromEnv(),
      meter,
      onRetry: options.onRetry,
      signal: options.signal,
    });
  }
  const { sha256, md5 } = await fileDigests(partial);
  for (
    const [kind, expected, got] of [["sha256", options.sha256, sha256], ["md5", options.md5, md5]]
  ) {
    if (expected && got !== expected.toLowerCase()) {
      await discard(partial);
      throw new FetchError(
        "checksum",
        `Checksum mismatch for "${url}": expected ${kind} ${expected}, got ${got}; the downloaded bytes were discarded`,
      );
    }
  }
  const bytes = (await Deno.stat(partial)).size;
  await moveFile(partial, dest);
  await Deno.remove(`${partial}.json`).catch(() => {});
  return { bytes, sha256, md5, ...outcome };
}

async function copyLocal(
  url: URL,
  partial: string,
  meter: ReturnType<typeof progressMeter>,
  signal?: AbortSignal,
): Promise<void> {
  const path = decodeURIComponent(url.pathname);
  let info: Deno.FileInfo;
  try {
    info = await Deno.stat(path);
  } catch {
    throw new FetchError("not-found", `Cannot find "${path}"`);
  }
  if (!info.isFile) throw new FetchError("not-found", `"${path}" is not a file`);
  using source = await Deno.open(path);
  using target = await Deno.open(partial, { write: true, create: true, truncate: true });
  let done = 0;
  for await (const chunk of source.readable) {
    signal?.throwIfAborted();
    await writeAll(target, chunk);
    done += chunk.length;
    meter.update(done, info.size);
  }
  meter.update(done, info.size, true);
}

async function discard(partial: string): Promise<void> {
  await Deno.remove(partial).catch(() => {});
  await Deno.remove(`${partial}.json`).catch(() => {});
}

/** Renames, or copies when the two paths are on different file systems. */
export async function moveFile(from: string, to: string): Promise<void> {
  try {
    await Deno.rename(from, to);
  } catch {
    await Deno.copyFile(from, to);
    await Deno.remove(from);
  }
}

function dirOf(path: string): string {
  return path.slice(0, path.lastIndexOf("/")) || "/";
}
