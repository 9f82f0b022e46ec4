/**
 * `dropline gc`: deletes store objects that no latest successful run (of any
 * pipeline) references, and leftovers of dead runs' staging areas.
 */
import {
  CacheLayout,
  collectGarbage,
  DEFAULT_STALE_AFTER_MS,
  JournalReader,
  pidAlive,
} from "@dropline/engine";
import { formatBytes } from "@dropline/format";
import { parseCommandArgs } from "./args.ts";
import { type CommandHelp, renderHelp } from "./command_help.ts";
import { cacheDirOf } from "./pipeline_args.ts";
import type { Command } from "./commands.ts";

/** The flags `gc` accepts. */
export const GC_OPTIONS = {
  "cache-dir": { type: "string" },
  "dry-run": { type: "boolean", short: "n" },
  help: { type: "boolean", short: "h" },
} as const;

export const GC_HELP: CommandHelp = {
  usage: "deno task gc [--dry-run] [--cache-dir DIR]",
  about: `Deletes stored results that neither the latest successful run of any pipeline, nor a run
after it, nor a live run references, and staging areas dead runs left behind.`,
  flags: [
    ["--dry-run, -n", "say what would be freed; delete nothing"],
    ["--cache-dir DIR", "the cache directory (default ./cache)"],
    ["--help, -h", "this help"],
  ],
  examples: ["deno task gc --dry-run", "deno task gc --cache-dir /scratch/me/cache"],
};

/** Collects garbage; returns the exit code. */
export async function gcCommand(args: string[]): Promise<number> {
  const { values } = parseCommandArgs(args, GC_OPTIONS, "gc", { positionals: false });
  if (values.help) return (console.log(renderHelp(GC_HELP)), 0);
  const layout = new CacheLayout(cacheDirOf(values));
  const journal = JournalReader.open(layout);
  if (!journal.exists) {
    console.log(`gc: no run journal in ${layout.root}; nothing deleted`);
    return 0;
  }
  const keep = journal.keysToKeep(
    (host, pid, heartbeatAt) =>
      host === Deno.hostname() ? pidAlive(pid) : Date.now() - heartbeatAt < DEFAULT_STALE_AFTER_MS,
  );
  journal.close();
  if (keep.size === 0) {
    console.log("gc: no successful run recorded; nothing deleted");
    return 0;
  }
  const dryRun = values["dry-run"] === true;
  const freed = await collectGarbage(layout, keep, { dryRun });
  console.log(
    `gc: ${dryRun ? "would free" : "freed"} ${formatBytes(freed.bytes)} in ${freed.objects} ` +
      `object(s) and ${freed.stagingDirs} abandoned staging dir(s); kept ${freed.kept} referenced`,
  );
  return 0;
}

/** The command as `commands.ts` loads it. */
export const COMMAND: Command = { run: gcCommand, options: GC_OPTIONS, help: GC_HELP };
