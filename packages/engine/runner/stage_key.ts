/**
 * Stage keys: a Merkle hash of what determines a stage's result. Pure.
 */
import { canonicalJson } from "../util/canonical_json.ts";
import { sha256Hex } from "../util/sha256_hex.ts";

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
  /** The task's environment facts, when it declares any. */
  env?: Record<string, string>;
}

/**
 * The hex key of a stage.
 *
 * @example
 * ```ts
 * stageKey({ task: "shell", version: 1, params: { run: "echo" }, upstream: {}, files: {} });
 * ```
 */
export function stageKey(inputs: KeyInputs, paramsJson?: string): string {
  return sha256Hex(keyInputsJson(inputs, paramsJson));
}

/**
 * The canonical JSON a key hashes: `canonicalJson({ format, ...inputs })`,
 * assembled from parts so a stage's params, canonicalised once at compile
 * time, are not canonicalised again on every run.
 *
 * @example
 * ```ts
 * keyInputsJson(inputs) === canonicalJson({ format: KEY_FORMAT_VERSION, ...inputs }); // true
 * ```
 */
export function keyInputsJson(
  inputs: KeyInputs,
  paramsJson = canonicalJson(inputs.params),
): string {
  // Keys in sorted order, as canonicalJson would emit them.
  const env = inputs.env === undefined ? "" : `"env":${canonicalJson(inputs.env)},`;
  return `{${env}"files":${
    canonicalJson(inputs.files)
  },"format":${KEY_FORMAT_VERSION},"params":${paramsJson},` +
    `"task":${JSON.stringify(inputs.task)},"upstream":${
      canonicalJson(inputs.upstream)
    },"version":${inputs.version}}`;
}
