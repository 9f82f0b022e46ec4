/**
 * Which run `exp` and `diff` read: a run id, or the latest run of a pipeline
 * (optionally the latest with the same `--set` overrides).
 */
import { type JournalReader, type RunRecord, UsageError } from "@dropline/engine";
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

/**
 * A run named on the command line: an existing run id, or a pipeline file
 * whose latest run (with `sets` when given) is meant.
 */
export async function resolveRun(
  journal: JournalReader,
  arg: string,
  sets?: readonly string[],
): Promise<RunRecord> {
  const byId = journal.getRun(arg);
  if (byId) return byId;
  if (!/\.ya?ml$/i.test(arg)) {
    throw new UsageError(`No run "${arg}" in the journal (expected a run id or a pipeline file)`);
  }
  const pipeline = await loadPipelineArg(arg, { set: [...sets ?? []] });
  const run = latestRun(journal, pipeline.name, sets?.length ? { sets } : {});
  if (run) return run;
  const any = latestRun(journal, pipeline.name);
  if (!any) {
    throw new UsageError(`No run of pipeline "${pipeline.name}" yet: deno task run ${arg}`);
  }
  const with_ = sets?.map((s) => `--set ${s}`).join(" ");
  const latestSets = setsOf(any.argv).map((s) => `--set ${s}`).join(" ") || "no --set";
  throw new UsageError(
    `No run of pipeline "${pipeline.name}" with ${with_}; the latest is ${any.id} (${latestSets}); ` +
      `pass --run ID, or run it: deno task run ${arg} ${with_}`,
  );
}
