/**
 * The files a Slurm job and the driver share through the cache directory
 * (which must be on a filesystem the compute nodes see; `CacheLayout` places
 * the job directories and key records):
 *
 * - `slurm/<run>/<n>/job.sh`             the script given to sbatch
 * - `slurm/<run>/<n>/spec.json`          the stages the job runs, in order
 * - `slurm/<run>/<n>/slurm.out`          Slurm's output for the job
 * - `slurm/<run>/<n>/<i>.events.jsonl`   stage i's events (started, progress, metrics)
 * - `slurm/<run>/<n>/<i>.status.json`    stage i's exit status: the source of truth
 * - `slurm/keys/<key>.json`              the job computing a key, for re-attaching
 */
import { join } from "../../util/posix_path.ts";
import type { Progress } from "@dropline/task";
import type { Resources } from "../../pipeline/resources.ts";
import type { ExecutionResult, StageWork } from "../execute_stage.ts";

/** What a job runs: read by the worker on the node. */
export interface JobSpec {
  cacheDir: string;
  runId: string;
  jobDir: string;
  stages: StageWork[];
  /** `--keep-going`: without it, the job starts no stage after one failed. */
  keepGoing: boolean;
}

/** A stage's exit status, written once by the worker when the stage ends. */
export type StageStatus = ExecutionResult & { jobId: string; node: string; ms: number };

/** A line of a stage's events file. */
export type WorkerEvent =
  | { type: "started"; jobId: string; node: string; at: number }
  | { type: "progress"; progress: Progress }
  | { type: "metric"; record: Record<string, number> }
  | { type: "facts"; facts: Record<string, string | number | boolean> }
  | { type: "note"; message: string };

/** Which job computes a key: lets a later run re-attach instead of resubmitting. */
export interface JobRecord {
  jobId: string;
  /** The job's name (the submitting run's tag). */
  name: string;
  jobDir: string;
  /** The stage's position in the job's spec. */
  index: number;
  runId: string;
  /** The submitting driver, so a re-run knows whether it is still alive. */
  host: string;
  pid: number;
  resources: Resources;
}

/** Paths inside one job's directory. */
export const jobPaths = {
  spec: (dir: string) => join(dir, "spec.json"),
  script: (dir: string) => join(dir, "job.sh"),
  output: (dir: string) => join(dir, "slurm.out"),
  status: (dir: string, index: number) => join(dir, `${index}.status.json`),
  events: (dir: string, index: number) => join(dir, `${index}.events.jsonl`),
};

/**
 * Writes JSON so that a reader sees the whole file or none (rename over it).
 *
 * @example
 * ```ts
 * writeJsonAtomic("cache/slurm/r/1/0.status.json", status);
 * ```
 */
export function writeJsonAtomic(path: string, value: unknown): void {
  const temporary = `${path}.${crypto.randomUUID().slice(0, 8)}.tmp`;
  Deno.writeTextFileSync(temporary, JSON.stringify(value));
  Deno.renameSync(temporary, path);
}

/** Parsed JSON at `path`, or undefined when the file does not exist (yet). */
export function readJson<T>(path: string): T | undefined {
  try {
    return JSON.parse(Deno.readTextFileSync(path)) as T;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw error;
  }
}

/** Removes a file that may not exist. */
export function removeIfPresent(path: string): void {
  try {
    Deno.removeSync(path);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
}

/**
 * Reads an events file as it grows: each call returns the complete lines
 * appended since the last one.
 */
export class EventsReader {
  #offset = 0;
  #partial = "";
  readonly path: string;

  constructor(path: string) {
    this.path = path;
  }

  read(): WorkerEvent[] {
    let file: Deno.FsFile;
    try {
      file = Deno.openSync(this.path, { read: true });
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return [];
      throw error;
    }
    try {
      const size = file.statSync().size;
      if (size <= this.#offset) return [];
      const bytes = new Uint8Array(size - this.#offset);
      file.seekSync(this.#offset, Deno.SeekMode.Start);
      let read = 0;
      while (read < bytes.length) {
        const n = file.readSync(bytes.subarray(read));
        if (n === null) break;
        read += n;
      }
      this.#offset += read;
      const text = this.#partial + new TextDecoder().decode(bytes.subarray(0, read));
      const lines = text.split("\n");
      this.#partial = lines.pop()!;
      return lines.filter((line) => line !== "").map((line) => JSON.parse(line) as WorkerEvent);
    } finally {
      file.close();
    }
  }
}
