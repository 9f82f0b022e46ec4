/**
 * The content-addressed artifact store under the cache directory (layout in
 * `cache_layout.ts`): published objects, staging areas, quarantine.
 */
import { join } from "../util/posix_path.ts";
import { buildManifest, type Manifest, statsMatch, verifyManifest } from "./manifest.ts";
import type { ObjectIndex } from "./object_index.ts";
import { assertCacheDir } from "./cache_error.ts";
import { CacheLayout } from "./cache_layout.ts";

/** What the store holds for a key. */
export type Lookup =
  | { state: "present"; manifest: Manifest; outDir: string }
  | { state: "absent" }
  | { state: "corrupt"; reason: string };

/** A staging area for one attempt. */
export interface Staging {
  root: string;
  outDir: string;
}

/** The store rooted at a cache directory. */
export class Store {
  readonly layout: CacheLayout;
  #index: ObjectIndex | undefined;
  /** `objects/<k2>/` directories known to exist: one call fewer per published stage. */
  #madeDirs = new Set<string>();

  constructor(cacheDir: string) {
    this.layout = new CacheLayout(cacheDir);
  }

  /** The absolute cache directory. */
  get root(): string {
    return this.layout.root;
  }

  /** The published output directory of a key. */
  outDir(key: string): string {
    return this.layout.outDir(key);
  }

  /** Creates the directories a runner writes into (a `CacheError` if the root is a file). */
  async prepare(): Promise<void> {
    assertCacheDir(this.root);
    for (const dir of this.layout.runnerDirs()) await Deno.mkdir(dir, { recursive: true });
  }

  /**
   * Finds and verifies the object for `key`.
   *
   * @example
   * ```ts
   * const found = await store.lookup(key);
   * if (found.state === "present") use(found.outDir, found.manifest.digest);
   * ```
   */
  async lookup(key: string): Promise<Lookup> {
    // The index's copy is enough when stat calls show the files untouched
    // and the object still has its manifest (without one it is not published).
    const indexed = this.#index?.manifest(key);
    if (
      indexed?.key === key && statsMatch(indexed, this.outDir(key)) &&
      existsSync(this.layout.manifestPath(key))
    ) {
      return { state: "present", manifest: indexed, outDir: this.outDir(key) };
    }
    const found = await this.#lookupOnDisk(key);
    if (found.state === "present") this.#index?.record(found.manifest);
    else if (indexed) this.#index?.forget(key);
    return found;
  }

  /**
   * Finds objects' manifests in `index` first (a runner's journal): see
   * `object_index.ts`. Published and verified objects are recorded there.
   */
  useIndex(index: ObjectIndex): void {
    this.#index = index;
  }

  async #lookupOnDisk(key: string): Promise<Lookup> {
    let text: string;
    try {
      text = Deno.readTextFileSync(this.layout.manifestPath(key));
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
      return existsSync(this.layout.objectDir(key))
        ? { state: "corrupt", reason: "manifest.json is missing" }
        : { state: "absent" };
    }
    let manifest: Manifest;
    try {
      manifest = JSON.parse(text) as Manifest;
    } catch {
      return { state: "corrupt", reason: "manifest.json is not valid JSON" };
    }
    const problem = await verifyManifest(manifest, this.outDir(key));
    return problem
      ? { state: "corrupt", reason: problem }
      : { state: "present", manifest, outDir: this.outDir(key) };
  }

  /**
   * {@link lookup} for a key that is usually absent (checked again under its
   * lock just before it runs): absence costs one metadata call, not two.
   */
  async recheck(key: string): Promise<Lookup> {
    return existsSync(this.layout.objectDir(key)) ? await this.lookup(key) : { state: "absent" };
  }

  /** A fresh, empty staging area for `key`. */
  createStaging(key: string): Promise<Staging> {
    const root = this.layout.stagingDir(key, crypto.randomUUID().slice(0, 8));
    const outDir = join(root, "out");
    try {
      // Two plain calls: a recursive mkdir first probes the whole path.
      Deno.mkdirSync(root);
      Deno.mkdirSync(outDir);
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
      Deno.mkdirSync(outDir, { recursive: true }); // staging/ itself was removed
    }
    return Promise.resolve({ root, outDir });
  }

  /**
   * Hashes the staged output, writes its manifest and publishes it atomically
   * under `key`, replacing (after moving aside) any object already there.
   */
  async publish(staging: Staging, key: string): Promise<Manifest> {
    const linked = new Set<string>();
    const manifest = await buildManifest(key, staging.outDir, linked);
    // Only files that live in the staging dir: an output that links to a
    // user's file must not make that file read-only. Only a path through a
    // symlink can lead outside.
    let inside: string | undefined;
    for (const file of manifest.files) {
      const path = join(staging.outDir, file.path);
      if (linked.has(file.path)) {
        inside ??= `${Deno.realPathSync(staging.outDir)}/`;
        if (!Deno.realPathSync(path).startsWith(inside)) continue;
      }
      Deno.chmodSync(path, 0o444);
    }
    Deno.writeTextFileSync(
      join(staging.root, "manifest.json"),
      JSON.stringify(manifest, null, 1),
    );
    const target = this.layout.objectDir(key);
    const parent = join(target, "..");
    if (!this.#madeDirs.has(parent)) {
      Deno.mkdirSync(parent, { recursive: true });
      this.#madeDirs.add(parent);
    }
    try {
      Deno.renameSync(staging.root, target);
    } catch (error) {
      // An object is already there (a forced re-run, or a damaged one): replace it.
      if (!existsSync(target)) throw error;
      await this.#discard(target);
      Deno.renameSync(staging.root, target);
    }
    // The stats the index keeps are those of the published files (a rename keeps them).
    this.#index?.record(manifest);
    return manifest;
  }

  /** Moves a damaged object out of the way, keeping it for inspection. */
  async quarantine(key: string): Promise<string> {
    await Deno.mkdir(this.layout.dir("corrupt"), { recursive: true });
    const target = this.layout.corruptDir(key, Date.now());
    await Deno.rename(this.layout.objectDir(key), target);
    return target;
  }

  async #discard(dir: string): Promise<void> {
    const trash = this.layout.trashDir(crypto.randomUUID());
    await Deno.rename(dir, trash);
    await Deno.remove(trash, { recursive: true });
  }
}

/** Whether a path exists (synchronous: a cheap metadata call on hot paths). */
export function existsSync(path: string): boolean {
  try {
    Deno.lstatSync(path);
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}

/** Whether a path exists. */
export async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}
