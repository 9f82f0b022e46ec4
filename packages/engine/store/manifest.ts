/**
 * Object manifests: the list of an output's files with their digests, and the
 * output's content digest derived from it.
 */
import { join } from "../util/posix_path.ts";
import { canonicalJson } from "../util/canonical_json.ts";
import { sha256Hex } from "../util/sha256_hex.ts";
import { hashFile, statOf, type WalkedFile, walkFiles } from "./hash_file.ts";

/** Bump when the manifest layout changes. */
export const MANIFEST_FORMAT = 1;

/** One file of a published output. */
export interface ManifestFile extends WalkedFile {
  sha256: string;
}

/** What `manifest.json` beside a published `out/` holds. */
export interface Manifest {
  format: number;
  key: string;
  /** Content digest of the whole output: depends only on paths and bytes. */
  digest: string;
  files: ManifestFile[];
  createdAt: number;
}

/**
 * Hashes every file under `outDir` into a manifest; `linked`, if given,
 * receives the paths reached through a symlink.
 *
 * @example
 * ```ts
 * const manifest = await buildManifest(key, "staging/out");
 * ```
 */
export async function buildManifest(
  key: string,
  outDir: string,
  linked?: Set<string>,
): Promise<Manifest> {
  const files: ManifestFile[] = [];
  for (const file of await walkFiles(outDir, linked)) {
    files.push({ ...file, sha256: await hashFile(join(outDir, file.path), file.size) });
  }
  return {
    format: MANIFEST_FORMAT,
    key,
    digest: contentDigest(files),
    files,
    createdAt: Date.now(),
  };
}

/** The digest of an output's content: paths, sizes and file digests, nothing else. */
export function contentDigest(files: readonly ManifestFile[]): string {
  return sha256Hex(canonicalJson(files.map((f) => [f.path, f.size, f.sha256])));
}

/** A manifest file's stat fields now, or undefined when it is missing. */
function statNow(file: ManifestFile, outDir: string): WalkedFile | undefined {
  try {
    return statOf(file.path, Deno.statSync(join(outDir, file.path)));
  } catch {
    return undefined;
  }
}

/** Whether a file's stat still shows it as the manifest recorded it (unchanged, untouched). */
function untouched(file: ManifestFile, now: WalkedFile): boolean {
  return now.size === file.size && now.mtime === file.mtime && now.ino === file.ino;
}

/**
 * Whether every file of a manifest is still there with the same size, mtime
 * and inode: what an intact, untouched object shows to stat calls alone.
 *
 * @example
 * ```ts
 * statsMatch(manifest, "objects/ab/abcd/out"); // true
 * ```
 */
export function statsMatch(manifest: Manifest, outDir: string): boolean {
  return manifest.files.every((file) => {
    const now = statNow(file, outDir);
    return now !== undefined && untouched(file, now);
  });
}

/**
 * Checks a published output against its manifest. Files whose stat still
 * matches are trusted without reading them; others are re-hashed. Returns
 * what is wrong, or undefined when the output is intact.
 *
 * @example
 * ```ts
 * const problem = await verifyManifest(manifest, "objects/ab/abcd/out");
 * ```
 */
export async function verifyManifest(
  manifest: Manifest,
  outDir: string,
): Promise<string | undefined> {
  if (manifest.format !== MANIFEST_FORMAT || contentDigest(manifest.files) !== manifest.digest) {
    return "manifest is damaged";
  }
  for (const file of manifest.files) {
    const now = statNow(file, outDir);
    if (now === undefined) return `file "${file.path}" is missing`;
    if (now.size !== file.size) {
      return `file "${file.path}" changed size (${file.size} -> ${now.size} bytes)`;
    }
    if (untouched(file, now)) continue;
    if (await hashFile(join(outDir, file.path), now.size) !== file.sha256) {
      return `file "${file.path}" content changed`;
    }
  }
  return undefined;
}
