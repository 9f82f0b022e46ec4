/**
 * `dropline gc`: deletes store objects that no latest successful run (of any
 * pipeline) references, and leftovers of dead runs' staging areas.
 */
import { join, resolve } from "node:path";
import { hostname } from "node:os";
import { DEFAULT_STALE_AFTER_MS, exists, keysToKeep, pidAlive } from "@dropline/engine";
import { parseCommandArgs } from "./args.ts";
import { openJournalReader } from "./journal_reader.ts";

export const GC_USAGE = "Usage: deno task gc [--cache-dir DIR] [--dry-run]";

/** Collects garbage; returns the exit code. */
export async function gcCommand(args: string[]): Promise<number> {
  const { values } = parseCommandArgs(args, {
    "cache-dir": { type: "string" },
    "dry-run": { type: "boolean", short: "n" },
    help: { type: "boolean", short: "h" },
  }, "gc");
  if (values.help) return (console.log(GC_USAGE), 0);
  const cacheDir = resolve(values["cache-dir"] ?? "cache");
  const db = openJournalReader(cacheDir);
  if (!db) {
    console.log(`gc: no run journal in ${cacheDir}; nothing deleted`);
    return 0;
  }
  const keep = keysToKeep(
    db,
    (host, pid, heartbeatAt) =>
      host === hostname() ? pidAlive(pid) : Date.now() - heartbeatAt < DEFAULT_STALE_AFTER_MS,
  );
  db.close();
  if (keep.size === 0) {
    console.log("gc: no successful run recorded; nothing deleted");
    return 0;
  }
  const dryRun = values["dry-run"] === true;
  let objects = 0;
  let bytes = 0;
  for (const dir of await garbageObjects(cacheDir, keep)) {
    if (await exists(join(cacheDir, "locks", `${dir.key}.lock`))) continue;
    objects++;
    bytes += await sizeOf(dir.path);
    if (!dryRun) await Deno.remove(dir.path, { recursive: true });
  }
  const leftovers = await abandonedStaging(cacheDir);
  for (const path of leftovers) {
    bytes += await sizeOf(path);
    if (!dryRun) await Deno.remove(path, { recursive: true });
  }
  const verb = dryRun ? "would free" : "freed";
  console.log(
    `gc: ${verb} ${formatBytes(bytes)} in ${objects} object(s) and ${leftovers.length} abandoned ` +
      `staging dir(s); kept ${keep.size} referenced`,
  );
  return 0;
}

async function garbageObjects(
  cacheDir: string,
  keep: ReadonlySet<string>,
): Promise<{ key: string; path: string }[]> {
  const found: { key: string; path: string }[] = [];
  const root = join(cacheDir, "objects");
  if (!(await exists(root))) return found;
  for await (const prefix of Deno.readDir(root)) {
    for await (const entry of Deno.readDir(join(root, prefix.name))) {
      if (!keep.has(entry.name)) {
        found.push({ key: entry.name, path: join(root, prefix.name, entry.name) });
      }
    }
  }
  return found;
}

/** Staging dirs of attempts whose run died: no lock is held for their key. */
async function abandonedStaging(cacheDir: string): Promise<string[]> {
  const root = join(cacheDir, "staging");
  if (!(await exists(root))) return [];
  const found: string[] = [];
  for await (const entry of Deno.readDir(root)) {
    const key = entry.name.split(".")[0]!;
    if (!(await exists(join(cacheDir, "locks", `${key}.lock`)))) found.push(join(root, entry.name));
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

/** Bytes in human units. */
export function formatBytes(bytes: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) [value, unit] = [value / 1024, unit + 1];
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}
