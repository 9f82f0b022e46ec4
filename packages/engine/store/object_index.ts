/**
 * Where the store finds the manifests of published objects without reading
 * each `manifest.json`: the journal's `objects` table. A manifest found there
 * is trusted only if every file's stat still matches it; otherwise the store
 * reads the object's own manifest, which stays the truth.
 */
import type { Manifest } from "./manifest.ts";

/** The manifests a runner recorded, by key. */
export interface ObjectIndex {
  /** The manifest recorded for `key`, if any. */
  manifest(key: string): Manifest | undefined;
  /** Records an intact object's manifest (a read-only index ignores it). */
  record(manifest: Manifest): void;
  /** Forgets `key` (its object is gone). */
  forget(key: string): void;
}
