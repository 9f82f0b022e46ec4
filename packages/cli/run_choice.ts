/**
 * Which run `exp` and `diff` read: a run id, or the latest run of a pipeline
 * (optionally the latest with the same `--set` overrides).
 */
import { CacheLayout, type JournalReader, type RunRecord, UsageError } from "@dropline/engine";
import { shellWord } from "@dropline/task";
import { loadPipelineArg } from "./pipeline_args.ts";

/**
 * The `--set` values of a run's recorded arguments, in order.
 *
 * @example
 * ```ts
 * setsOf(["p.yaml", "--set", "params.n=5", "--set=params.m=1"]); // ["params.n=5", "params.m=1"]
 * ```
 */
export function setsOf(argv: readonly string[]): string[] {
  const sets: string[] = [];
  argv.forEach((arg, i) => {
    if (arg === "--set" && argv[i + 1] !== undefined) sets.push(argv[i + 1]!);
    else if (arg.startsWith("--set=")) sets.push(arg.slice("--set=".length));
  });
  return sets;
}

/** Options of {@linkcode latestRun}. */
export interface LatestRunOptions {
  /** Only runs made with exactly these `--set` overrides (in any order). */
  sets?: readonly string[];
  /** Only runs older than this run id. */
  before?: string;
  /** Leave out runs that reused every stage. */
  skipNoop?: boolean;
}

/**
 * The newest run of a pipeline (by its `name`) meeting the options.
 *
 * @example
 * ```ts
 * latestRun(journal, "demo", { sets: ["params.n=5"] });
 * ```
 */
export function latestRun(
  journal: JournalReader,
  pipeline: string,
  options: LatestRunOptions = {},
): RunRecord | undefined {
  const wanted = options.sets && [...options.sets].sort().join("\n");
  let before = options.before;
  while (true) {
    const page = journal.listRuns({
      noop: !options.skipNoop,
      limit: 200,
      ...before ? { before } : {},
    });
    const found = page.find((run) =>
      run.pipeline === pipeline &&
      (wanted === undefined || setsOf(run.argv).sort().join("\n") === wanted)
    );
    if (found || page.length < 200) return found;
    before = page.at(-1)!.id;
  }
}

/** Options of {@linkcode resolveRun} and {@linkcode runHint}. */
export interface ResolveRunOptions {
  /** Only runs made with exactly these `--set` overrides (in any order). */
  sets?: readonly string[] | undefined;
  /** The absolute cache directory; hints name it unless it is the default. */
  cacheDir?: string | undefined;
}

/**
 * A run named on the command line: an existing run id, or a pipeline file
 * whose latest run (with `sets` when given) is meant. When there is none, the
 * `UsageError` says how to make it, in the same cache directory.
 *
 * @example
 * ```ts
 * await resolveRun(journal, "pipelines/demo.yaml", { sets: ["params.n=5"], cacheDir: "/data/cache" });
 * ```
 */
export async function resolveRun(
  journal: JournalReader,
  arg: string,
  options: ResolveRunOptions = {},
): Promise<RunRecord> {
  const byId = journal.getRun(arg);
  if (byId) return byId;
  if (!/\.ya?ml$/i.test(arg)) {
    throw new UsageError(`No run "${arg}" in the journal (expected a run id or a pipeline file)`);
  }
  const sets = options.sets ?? [];
  const pipeline = await loadPipelineArg(arg, { set: [...sets] });
  const run = latestRun(journal, pipeline.name, sets.length ? { sets } : {});
  if (run) return run;
  const any = latestRun(journal, pipeline.name);
  if (!any) {
    throw new UsageError(`No run of pipeline "${pipeline.name}" yet: ${runHint(arg, options)}`);
  }
  const with_ = sets.map((s) => `--set ${s}`).join(" ");
  const latestSets = setsOf(any.argv).map((s) => `--set ${s}`).join(" ") || "no --set";
  throw new UsageError(
    `No run of pipeline "${pipeline.name}" with ${with_}; the latest is ${any.id} (${latestSets}); ` +
      `pass --run ID, or run it: ${runHint(arg, options)}`,
  );
}

/** Words a shell reads literally after the command name (`=` only matters in the first). */
const SAFE_ARG = /^[A-Za-z0-9_@%+:,./=-]+$/;

/**
 * The command that runs `file` with its `--set` overrides into the same cache
 * directory (`--cache-dir` only when not the default), quoted for a shell.
 *
 * @example
 * ```ts
 * runHint("p.yaml", { sets: ["params.n=5"], cacheDir: "/tmp/a b" });
 * // "deno task run p.yaml --set params.n=5 --cache-dir '/tmp/a b'"
 * ```
 */
export function runHint(file: string, options: ResolveRunOptions = {}): string {
  const args = [file, ...(options.sets ?? []).flatMap((set) => ["--set", set])];
  const { cacheDir } = options;
  if (cacheDir !== undefined && cacheDir !== new CacheLayout().root) {
    args.push("--cache-dir", cacheDir);
  }
  return ["deno task run", ...args.map((arg) => SAFE_ARG.test(arg) ? arg : shellWord(arg))]
    .join(" ");
}
