/**
 * Stage keys: a Merkle hash of what determines a stage's result. Pure.
 */
import { createHash } from "node:crypto";
import { canonicalJson } from "./canonical_json.ts";

/** Bump when the key recipe changes: every key changes with it. */
export const KEY_FORMAT_VERSION = 1;

/** Everything a key is computed from; recorded in the journal so `why` can diff it. */
export interface KeyInputs {
  task: string;
  version: number;
  params: unknown;
  /** Content digest of each upstream's published output, by stage id. */
  upstream: Record<string, string>;
  /** Content digest of each local input file, by path as the stage names it. */
  files: Record<string, string>;
}

/**
 * The hex key of a stage.
 *
 * @example
 * ```ts
 * stageKey({ task: "shell", version: 1, params: { run: "echo" }, upstream: {}, files: {} });
 * ```
 */
export function stageKey(inputs: KeyInputs): string {
  return sha256Hex(canonicalJson({ format: KEY_FORMAT_VERSION, ...inputs }));
}

/** SHA-256 of a string, hex. */
export function sha256Hex(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}
