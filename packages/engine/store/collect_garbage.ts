/**
 * Garbage collection of a cache directory: objects that no kept key
 * references, staging areas of attempts whose run died, and parsed pipeline
 * files and compiled graphs (remade on demand). A key whose lock is held is never touched: a run
 * is writing or reading it right now.
 */
import { join } from "../util/posix_path.ts";
import type { CacheLayout } from "./cache_layout.ts";
import { exists } from "./store.ts";

/** What `collectGarbage` deleted (or would delete on a dry run). */
export interface GarbageReport {
  objects: number;
  stagingDirs: number;
  bytes: number;
  /**
   * Stored objects left in place (referenced, or locked by a live run). Not
   * the size of `keep`: a live run's keys are kept before they are published.
   */
  kept: number;
}

/**
 * Deletes objects whose key is not in `keep` and abandoned staging areas.
 *
 * @example
 * ```ts
 * const report = await collectGarbage(new CacheLayout("cache"), keep, { dryRun: true });
 * console.log(`would free ${report.bytes} bytes`);
 * ```
 */
export async function collectGarbage(
  layout: CacheLayout,
  keep: ReadonlySet<string>,
  options: { dryRun: boolean },
): Promise<GarbageReport> {
  const report: GarbageReport = { objects: 0, stagingDirs: 0, bytes: 0, kept: 0 };
  const remove = async (path: string) => {
    report.bytes += await sizeOf(path);
    if (!options.dryRun) await Deno.remove(path, { recursive: true });
  };
  for (const { key, path } of await storedObjects(layout)) {
    if (keep.has(key) || await exists(layout.lockPath(key))) {
      report.kept++;
      continue;
    }
    report.objects++;
    await remove(path);
  }
  for (const path of await abandonedStaging(layout)) {
    report.stagingDirs++;
    await remove(path);
  }
  // Parsed pipeline files: a few KiB of parses, remade by the next run of each
  // file. Cleared, not counted: they are no stage's result.
  if (!options.dryRun) await Deno.remove(layout.dir("parsed"), { recursive: true }).catch(() => {});
  return report;
}

async function storedObjects(layout: CacheLayout): Promise<{ key: string; path: string }[]> {
  const root = layout.dir("objects");
  if (!(await exists(root))) return [];
  const found: { key: string; path: string }[] = [];
  for await (const prefix of Deno.readDir(root)) {
    for await (const entry of Deno.readDir(join(root, prefix.name))) {
      found.push({ key: entry.name, path: join(root, prefix.name, entry.name) });
    }
  }
  return found;
}

/** Staging dirs of attempts whose run died: no lock is held for their key. */
async function abandonedStaging(layout: CacheLayout): Promise<string[]> {
  const root = layout.dir("staging");
  if (!(await exists(root))) return [];
  const found: string[] = [];
  for await (const entry of Deno.readDir(root)) {
    if (!(await exists(layout.lockPath(layout.keyOf(entry.name))))) {
      found.push(join(root, entry.name));
    }
  }
  return found;
}

async function sizeOf(path: string): Promise<number> {
  const info = await Deno.lstat(path);
  if (!info.isDirectory) return info.size;
  let total = 0;
  for await (const entry of Deno.readDir(path)) total += await sizeOf(join(path, entry.name));
  return total;
}
