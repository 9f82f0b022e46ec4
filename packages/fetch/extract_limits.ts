/**
 * Limits on what extracting an archive may write, so a "zip bomb" (a small
 * archive that expands to gigabytes) fails with a message instead of filling
 * the disk. Each has a default and an environment variable overriding it.
 */
import { FetchError } from "./fetch_error.ts";

/** The extraction limits in force. */
export interface ExtractLimits {
  /** Bytes written in all. */
  maxBytes: number;
  /** Entries (files, directories, links) in the archive. */
  maxEntries: number;
  /** Bytes written per byte of archive. */
  maxRatio: number;
}

/** The defaults: ample for data sets, far below what a zip bomb expands to. */
export const DEFAULT_EXTRACT_LIMITS: Readonly<ExtractLimits> = {
  maxBytes: 20 * 1024 ** 3,
  maxEntries: 1_000_000,
  maxRatio: 200,
};

/** The environment variable overriding each limit. */
export const EXTRACT_LIMIT_VARIABLES: Readonly<Record<keyof ExtractLimits, string>> = {
  maxBytes: "DROPLINE_MAX_EXTRACT_BYTES",
  maxEntries: "DROPLINE_MAX_EXTRACT_ENTRIES",
  maxRatio: "DROPLINE_MAX_EXTRACT_RATIO",
};

/**
 * The limits with the environment's overrides; a malformed value is a {@link FetchError}.
 *
 * @example
 * ```ts
 * extractLimitsFromEnv({ DROPLINE_MAX_EXTRACT_RATIO: "1000" }).maxRatio; // 1000
 * ```
 */
export function extractLimitsFromEnv(
  env: Readonly<Record<string, string | undefined>> = Deno.env.toObject(),
): ExtractLimits {
  const limits = { ...DEFAULT_EXTRACT_LIMITS };
  for (const [name, variable] of Object.entries(EXTRACT_LIMIT_VARIABLES)) {
    const text = env[variable];
    if (text !== undefined && text !== "") {
      limits[name as keyof ExtractLimits] = positiveNumber(variable, text);
    }
  }
  return limits;
}

/** The environment variable limiting a download's size (default {@link DEFAULT_DOWNLOAD_LIMIT}). */
export const DOWNLOAD_LIMIT_VARIABLE = "DROPLINE_MAX_DOWNLOAD_BYTES";

/** The default most bytes of one download: 100 GiB. */
export const DEFAULT_DOWNLOAD_LIMIT = 100 * 1024 ** 3;

/**
 * The download size limit with the environment's override.
 *
 * @example
 * ```ts
 * downloadLimitFromEnv({ DROPLINE_MAX_DOWNLOAD_BYTES: "1e9" }); // 1000000000
 * ```
 */
export function downloadLimitFromEnv(
  env: Readonly<Record<string, string | undefined>> = Deno.env.toObject(),
): number {
  const text = env[DOWNLOAD_LIMIT_VARIABLE];
  return text ? positiveNumber(DOWNLOAD_LIMIT_VARIABLE, text) : DEFAULT_DOWNLOAD_LIMIT;
}

/**
 * A positive number from an environment variable (`_` allowed between digits).
 *
 * @example
 * ```ts
 * positiveNumber("DROPLINE_MAX_DOWNLOAD_BYTES", "10_000_000"); // 10000000
 * ```
 */
export function positiveNumber(variable: string, text: string): number {
  const value = Number(text.replaceAll("_", ""));
  if (!Number.isFinite(value) || value <= 0) {
    throw new FetchError("limit", `${variable} must be a positive number, got "${text}"`);
  }
  return value;
}

/**
 * Counts what an extraction writes against the limits; throws a
 * {@link FetchError} (kind "limit") naming the limit and its variable.
 */
export class ExtractBudget {
  #limits: ExtractLimits;
  #archive: string;
  #archiveSize: number;
  bytes = 0;
  entries = 0;

  constructor(archive: string, archiveSize: number, limits: ExtractLimits) {
    this.#archive = archive;
    this.#archiveSize = Math.max(archiveSize, 1);
    this.#limits = limits;
  }

  /** Checks sizes an archive declares, before anything is written. */
  checkDeclared(entries: number, bytes: number): void {
    this.#check(entries, bytes, "declares");
  }

  /** Counts one more entry. */
  entry(): void {
    this.entries++;
    this.#check(this.entries, this.bytes, "has");
  }

  /** Counts bytes as they are written. */
  write(count: number): void {
    this.bytes += count;
    this.#check(this.entries, this.bytes, "expands to");
  }

  #check(entries: number, bytes: number, verb: string): void {
    const limits = this.#limits;
    const name = `Archive "${this.#archive}"`;
    if (entries > limits.maxEntries) {
      this.#fail(`${name} ${verb} more than ${limits.maxEntries} entries`, "maxEntries");
    }
    if (bytes > limits.maxBytes) {
      this.#fail(`${name} ${verb} more than ${limits.maxBytes} bytes`, "maxBytes");
    }
    if (bytes > limits.maxRatio * this.#archiveSize) {
      this.#fail(
        `${name} ${verb} more than ${limits.maxRatio} times its own size (${this.#archiveSize} bytes): a zip bomb?`,
        "maxRatio",
      );
    }
  }

  #fail(message: string, limit: keyof ExtractLimits): never {
    throw new FetchError(
      "limit",
      `${message}; set ${EXTRACT_LIMIT_VARIABLES[limit]} to raise the limit`,
    );
  }
}
