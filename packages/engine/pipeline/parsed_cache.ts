/**
 * Parsed pipeline files, kept in the cache directory by the hash of their
 * text (`parsed/<sha256>.json`), so that a run of an unchanged file neither
 * loads the YAML library nor parses it again: most of a no-op run's time on
 * a large file. Only positions are lost, and they are needed only to report
 * a problem, so a problem found with a cached parse is found again with a
 * fresh one (see `load.ts`). Entries are written only for files that compiled.
 */
import { sha256Hex } from "../util/sha256_hex.ts";
import type { PipelineSource } from "./source.ts";

/** Bump when what is stored (or how YAML is read) changes. */
const PARSED_FORMAT = 1;

/**
 * The entry's file for a pipeline text read with the given alias limit.
 *
 * @example
 * ```ts
 * parsedCachePath("/abs/cache/parsed", "name: x\n", 100_000); // "/abs/cache/parsed/3f...json"
 * ```
 */
export function parsedCachePath(dir: string, text: string, yamlNodes: number): string {
  return `${dir}/${sha256Hex(`${PARSED_FORMAT}\0${yamlNodes}\0${text}`)}.json`;
}

/** The stored value of an entry, or undefined when there is none (or it is unreadable). */
export function readParsed(path: string): { value: unknown } | undefined {
  try {
    return { value: JSON.parse(Deno.readTextFileSync(path)) };
  } catch {
    return undefined;
  }
}

/**
 * Stores `value` when JSON keeps it exactly (YAML's `.inf`, `.nan` and `-0`
 * would not survive) and the cache directory exists (never created here: a
 * command that stops early must leave no cache behind); failures are ignored.
 * False when the cache directory does not exist yet (nothing was written).
 */
export function writeParsed(path: string, value: unknown): boolean {
  if (!jsonExact(value)) return true;
  const dir = path.slice(0, path.lastIndexOf("/"));
  try {
    Deno.mkdirSync(dir);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    if (!(error instanceof Deno.errors.AlreadyExists)) return true;
  }
  const temporary = `${path}.${crypto.randomUUID()}`;
  try {
    Deno.writeTextFileSync(temporary, JSON.stringify(value));
    Deno.renameSync(temporary, path);
  } catch {
    Deno.remove(temporary).catch(() => {});
  }
  return true;
}

/** A source whose value came from the cache: it can locate nothing. */
export function unlocatedSource(file: string, value: unknown): PipelineSource {
  const nowhere = () => ({ line: 0, col: 0 });
  return { file, value, locate: nowhere, locateKey: nowhere };
}

/**
 * Whether `JSON.parse(JSON.stringify(value))` equals `value`. Pure.
 *
 * @example
 * ```ts
 * jsonExact({ a: [1, "x", null] }); // true
 * jsonExact({ a: Infinity }); // false
 * ```
 */
export function jsonExact(value: unknown): boolean {
  if (value === null || typeof value === "string" || typeof value === "boolean") return true;
  if (typeof value === "number") return Number.isFinite(value) && !Object.is(value, -0);
  if (Array.isArray(value)) return value.every(jsonExact);
  if (typeof value !== "object" || Object.getPrototypeOf(value) !== Object.prototype) return false;
  return Object.entries(value as Record<string, unknown>).every(([key, item]) =>
    key !== "__proto__" && jsonExact(item)
  );
}
