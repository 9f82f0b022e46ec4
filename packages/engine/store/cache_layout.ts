/**
 * The one description of a cache directory's layout. Every reader and writer
 * of the cache (store, journal, `gc`, `status`, the dashboard) finds its
 * paths here:
 *
 * - `objects/<k2>/<key>/out/`          a stage's published output (read-only files)
 * - `objects/<k2>/<key>/manifest.json` its file digests and content digest
 * - `staging/<key>.<nonce>/`           outputs being written; published with one rename
 * - `checkpoints/<key>/`               in-task checkpoints that survive interruption
 * - `locks/<key>.lock`                 per-key locks
 * - `logs/<run>/<seq>.log`             one log per stage attempt (`<seq>.metrics.jsonl` beside it)
 * - `logs/<run>/tensorboard/<stage>/`  the attempt's metrics as TensorBoard event files
 * - `logs/<run>/plots/<stage>.csv`     the attempt's metrics as CSV (`dvc plots`)
 * - `corrupt/<key>.<time>/`            objects that failed verification, kept for inspection
 * - `slurm/<run>/<n>/`                 a Slurm job's script, spec, output and stage exit statuses
 * - `slurm/keys/<key>.json`            the Slurm job computing a key (for re-attaching)
 * - `parsed/<sha256>.json`             pipeline files already parsed, by the hash of their text
 * - `parsed/<sha256>.graph.json`       their compiled stage graphs (by text, path, --set, limits)
 * - `journal.db`                       the run journal (SQLite, WAL)
 */
import { resolve } from "../util/posix_path.ts";

/** The cache directory when none is given (`--cache-dir`), relative to the working directory. */
export const DEFAULT_CACHE_DIR = "./cache";

/** Names of the entries of a cache directory. */
export const CACHE_ENTRIES = {
  objects: "objects",
  staging: "staging",
  checkpoints: "checkpoints",
  locks: "locks",
  logs: "logs",
  corrupt: "corrupt",
  slurm: "slurm",
  parsed: "parsed",
  journal: "journal.db",
} as const;

/** A directory entry of the cache (every entry but the journal file). */
export type CacheDir = Exclude<keyof typeof CACHE_ENTRIES, "journal">;

/** The directories a runner writes into, created before a run. */
const RUNNER_DIRS: readonly CacheDir[] = ["objects", "staging", "checkpoints", "locks", "logs"];

/**
 * Paths inside one cache directory. Plain string concatenation: the root is
 * absolute and keys are hex, and some of these run for every stage of every run.
 *
 * @example
 * ```ts
 * const layout = new CacheLayout("cache");
 * layout.outDir("ab12..."); // "/abs/cache/objects/ab/ab12.../out"
 * layout.journal; // "/abs/cache/journal.db"
 * ```
 */
export class CacheLayout {
  /** The absolute cache directory. */
  readonly root: string;

  constructor(cacheDir: string = DEFAULT_CACHE_DIR) {
    this.root = resolve(cacheDir);
  }

  /** `<root>/journal.db`. */
  get journal(): string {
    return `${this.root}/${CACHE_ENTRIES.journal}`;
  }

  /** A top-level directory of the cache, e.g. `dir("objects")`. */
  dir(name: CacheDir): string {
    return `${this.root}/${CACHE_ENTRIES[name]}`;
  }

  /** The directories a runner writes into. */
  runnerDirs(): string[] {
    return RUNNER_DIRS.map((name) => this.dir(name));
  }

  /** The stored object of a key: its manifest and its `out/` directory. */
  objectDir(key: string): string {
    return `${this.root}/objects/${key.slice(0, 2)}/${key}`;
  }

  /** The published output directory of a key. */
  outDir(key: string): string {
    return `${this.objectDir(key)}/out`;
  }

  /** The manifest of a key's object. */
  manifestPath(key: string): string {
    return `${this.objectDir(key)}/manifest.json`;
  }

  /** A staging area of one attempt at `key`. */
  stagingDir(key: string, nonce: string): string {
    return `${this.root}/staging/${key}.${nonce}`;
  }

  /** The key a staging area (or a lock file) belongs to, from its name. */
  keyOf(entryName: string): string {
    return entryName.split(".")[0]!;
  }

  /** A place inside `staging/` to move a directory before deleting it. */
  trashDir(nonce: string): string {
    return `${this.root}/staging/trash.${nonce}`;
  }

  /** The checkpoint directory of a key. */
  checkpointDir(key: string): string {
    return `${this.root}/checkpoints/${key}`;
  }

  /** The lock file of a key. */
  lockPath(key: string): string {
    return `${this.root}/locks/${key}.lock`;
  }

  /** The log directory of a run. */
  runLogDir(runId: string): string {
    return `${this.root}/logs/${runId}`;
  }

  /** The log of the stage at position `seq` in run `runId`. */
  logPath(runId: string, seq: number): string {
    return `${this.runLogDir(runId)}/${seq}.log`;
  }

  /** The Slurm jobs of a run. */
  slurmRunDir(runId: string): string {
    return `${this.root}/slurm/${runId}`;
  }

  /** The directory of the `n`th Slurm job a run submitted (shared with the compute nodes). */
  slurmJobDir(runId: string, n: number): string {
    return `${this.slurmRunDir(runId)}/${n}`;
  }

  /** Where the Slurm job records of keys live. */
  get slurmKeysDir(): string {
    return `${this.root}/slurm/keys`;
  }

  /** The record of the Slurm job computing `key`. */
  slurmRecordPath(key: string): string {
    return `${this.slurmKeysDir}/${key}.json`;
  }

  /** Where a damaged object of `key` is moved at time `at`. */
  corruptDir(key: string, at: number): string {
    return `${this.root}/corrupt/${key}.${at}`;
  }
}
