import { FetchError } from "./fetch_error.ts";
import { classifyFailure, isTransientStatus } from "./_classify.ts";
import { writeAll } from "./_write_all.ts";
import { DOWNLOAD_LIMIT_VARIABLE } from "./extract_limits.ts";
import type { progressMeter } from "./_progress_meter.ts";

/** Settings of one resumable HTTP download. */
export interface HttpDownload {
  url: URL;
  /** The partial file; `${partial}.json` remembers what it is a prefix of. */
  partial: string;
  retries: number;
  retryDelayMs: number;
  stallTimeoutMs: number;
  /** The most bytes the file may have (a larger declared or received size fails at once). */
  maxBytes: number;
  meter: ReturnType<typeof progressMeter>;
  onRetry?: ((attempt: number, reason: string, delayMs: number) => void) | undefined;
  signal?: AbortSignal | undefined;
}

/** What the partial file is a prefix of, so a resume never mixes two resources. */
interface PartialMeta {
  url: string;
  etag?: string;
  lastModified?: string;
  total?: number;
}

class RetryableStatus extends Error {}

/** Downloads into `job.partial`, resuming what is there; returns the bytes that were already there. */
export async function downloadHttp(
  job: HttpDownload,
): Promise<{ resumedFrom: number; attempts: number }> {
  const meta = await readMeta(job.partial);
  if (meta?.url !== job.url.href) await Deno.remove(job.partial).catch(() => {});
  const resumedFrom = await sizeOf(job.partial);
  let failures = 0;
  for (let attempts = 1;; attempts++) {
    const before = await sizeOf(job.partial);
    try {
      await attempt(job);
      return { resumedFrom, attempts };
    } catch (error) {
      if (job.signal?.aborted || error instanceof FetchError) throw error;
      const failure = error instanceof RetryableStatus
        ? { kind: "transient" as const, reason: error.message }
        : classifyFailure(error, job.url);
      if (failure.kind === "unreachable") throw unreachable(job.url, failure.reason);
      // A drop after some progress starts the retry budget afresh: resuming is cheap.
      failures = (await sizeOf(job.partial)) > before ? 1 : failures + 1;
      if (failures > job.retries) {
        throw new FetchError(
          "http",
          `Cannot download "${job.url}" after ${attempts} attempts: ${failure.reason}`,
        );
      }
      const delayMs = Math.min(job.retryDelayMs * 2 ** (failures - 1), 30_000);
      job.onRetry?.(attempts, failure.reason, delayMs);
      await sleep(delayMs, job.signal);
    }
  }
}

/** The error for a machine without network, saying how to use a local copy instead. */
export function unreachable(url: URL, reason: string): FetchError {
  return new FetchError(
    "unreachable",
    `Cannot download "${url}": the network is unreachable (${reason}). ` +
      `Without internet access, fetch the file on another machine and point the URL at the local copy, ` +
      `e.g. --set params.<name>=file:///path/to/file (a plain local path works too)`,
  );
}

async function attempt(job: HttpDownload): Promise<void> {
  const offset = await sizeOf(job.partial);
  const meta = await readMeta(job.partial);
  const headers = new Headers({ "accept-encoding": "identity" });
  if (offset > 0) {
    headers.set("range", `bytes=${offset}-`);
    const validator = meta?.etag ?? meta?.lastModified;
    if (validator) headers.set("if-range", validator);
  }
  const stall = new AbortController();
  const signal = job.signal ? AbortSignal.any([job.signal, stall.signal]) : stall.signal;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const arm = () => {
    clearTimeout(timer);
    timer = setTimeout(
      () => stall.abort(new Error(`no data for ${job.stallTimeoutMs / 1000} s`)),
      job.stallTimeoutMs,
    );
  };
  arm();
  try {
    const response = await fetch(job.url, { headers, signal });
    const start = await startOf(response, offset, meta, job);
    if (start === null) return;
    const total = totalOf(response, start);
    if (total !== undefined && total > job.maxBytes) {
      await response.body?.cancel();
      throw tooLarge(job, `the server declares ${total} bytes`);
    }
    await writeMeta(job.partial, {
      url: job.url.href,
      ...optional("etag", response.headers.get("etag")),
      ...optional("lastModified", response.headers.get("last-modified")),
      ...(total === undefined ? {} : { total }),
    });
    await receive(response.body!, job, start, total, arm);
  } catch (error) {
    throw stall.signal.aborted && !job.signal?.aborted ? stall.signal.reason : error;
  } finally {
    clearTimeout(timer);
  }
}

/** Where the body starts in the file, or null when the partial file is already complete. */
async function startOf(
  response: Response,
  offset: number,
  meta: PartialMeta | undefined,
  job: HttpDownload,
) {
  if (response.status === 416 && offset > 0) {
    await response.body?.cancel();
    if (meta?.total === offset) return null;
    await Deno.truncate(job.partial, 0);
    throw new RetryableStatus("the server refused to resume (HTTP 416)");
  }
  if (!response.ok) {
    await response.body?.cancel();
    const status = `HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ""}`;
    if (isTransientStatus(response.status)) {
      throw new RetryableStatus(`the server answered ${status}`);
    }
    const kind = response.status === 404 || response.status === 410 ? "not-found" : "http";
    throw new FetchError(kind, `Cannot download "${job.url}": the server answered ${status}`);
  }
  if (response.status !== 206) return 0; // The server sent the whole file: start over.
  const start = Number(/^bytes (\d+)-/.exec(response.headers.get("content-range") ?? "")?.[1]);
  if (start !== offset) {
    await response.body?.cancel();
    await Deno.truncate(job.partial, 0);
    throw new RetryableStatus("the server resumed at the wrong offset");
  }
  return start;
}

function totalOf(response: Response, start: number): number | undefined {
  const range = /\/(\d+)$/.exec(response.headers.get("content-range") ?? "")?.[1];
  if (range) return Number(range);
  const length = response.headers.get("content-length");
  return length === null ? undefined : start + Number(length);
}

async function receive(
  body: ReadableStream<Uint8Array>,
  job: HttpDownload,
  start: number,
  total: number | undefined,
  onData: () => void,
): Promise<void> {
  using file = await Deno.open(job.partial, { write: true, create: true, truncate: start === 0 });
  await file.seek(start, Deno.SeekMode.Start);
  let done = start;
  for await (const chunk of body) {
    if (done + chunk.length > job.maxBytes) {
      // No declared size to refuse up front: stopped as soon as it went over.
      throw tooLarge(job, `the server sent ${done + chunk.length} bytes so far`);
    }
    await writeAll(file, chunk);
    done += chunk.length;
    onData();
    job.meter.update(done, total);
  }
  job.meter.update(done, total, true);
  if (total !== undefined && done !== total) {
    throw new Error(`the connection closed early (${done} of ${total} bytes)`);
  }
}

function tooLarge(job: HttpDownload, what: string): FetchError {
  return new FetchError(
    "limit",
    `Cannot download "${job.url}": ${what}, more than the limit of ${job.maxBytes} bytes; set ${DOWNLOAD_LIMIT_VARIABLE} to raise it`,
  );
}

function optional<K extends string>(key: K, value: string | null): Partial<Record<K, string>> {
  return value ? { [key]: value } as Record<K, string> : {};
}

async function readMeta(partial: string): Promise<PartialMeta | undefined> {
  try {
    return JSON.parse(await Deno.readTextFile(`${partial}.json`));
  } catch {
    return undefined;
  }
}

async function writeMeta(partial: string, meta: PartialMeta): Promise<void> {
  await Deno.writeTextFile(`${partial}.json`, JSON.stringify(meta));
}

/** Size of a file, 0 when missing. */
export async function sizeOf(path: string): Promise<number> {
  return await Deno.stat(path).then((s) => s.size, () => 0);
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
