/**
 * `dropline run <pipeline.yaml>`: runs a pipeline, reusing stored results.
 */
import {
  type CompiledPipeline,
  type Executor,
  type ExecutorName,
  JournalReader,
  LocalExecutor,
  planPipeline,
  runPipeline,
  Store,
  UsageError,
} from "@dropline/engine/run";
import { parseCommandArgs, PIPELINE_FLAGS, positiveInt } from "./args.ts";
import { type CommandHelp, PIPELINE_FLAG_HELP, renderHelp } from "./command_help.ts";
import { chooseExecutor, slurmUnreachable } from "./executor_choice.ts";
import { selectStages, withAncestors } from "./select_stages.ts";
import { formatDuration } from "@dropline/format";
import { TerminalReporter } from "./terminal_reporter.ts";
import { cacheDirOf, loadGraphArg } from "./pipeline_args.ts";
import type { Command } from "./commands.ts";

/** The flags `run` accepts. */
export const RUN_OPTIONS = {
  ...PIPELINE_FLAGS,
  jobs: { type: "string", short: "j" },
  "keep-going": { type: "boolean", short: "k" },
  "dry-run": { type: "boolean", short: "n" },
  force: { type: "string", multiple: true },
  only: { type: "string", multiple: true },
  verbose: { type: "boolean", short: "v" },
  quiet: { type: "boolean", short: "q" },
  executor: { type: "string" },
  retries: { type: "string" },
} as const;

export const RUN_HELP: CommandHelp = {
  usage: "deno task run <pipeline.yaml> [flags]",
  about:
    `Runs the pipeline: every stage whose result for its key is not stored runs (upstream first,
several at once), the others are reused. Interrupted runs resume by running the same command.
Exit code 0 success, 1 a stage failed (or Slurm cannot be reached), 2 bad usage or pipeline,
130 interrupted.`,
  flags: [
    ["--jobs N, -j N", "stages running at once (default: number of cores)"],
    ["--keep-going, -k", "after a failure, finish the independent branches"],
    ["--dry-run, -n", "print what would run and why; execute nothing"],
    [
      "--force STAGE",
      "run it even if its result is stored (repeatable; a name forces all its expansions)",
    ],
    ["--only STAGE", "run only this stage and what it needs (repeatable)"],
    [
      "--executor E",
      "local or slurm (default: DROPLINE_EXECUTOR, else the pipeline's executor, else local)",
    ],
    [
      "--retries N",
      "Slurm: resubmit a stage whose job was lost (node failure, preemption) up to N times",
    ],
    ["--verbose, -v", "a line for every cached stage too"],
    ["--quiet, -q", "no stage lines and no progress: only notes, the summary and failures"],
    ...PIPELINE_FLAG_HELP,
  ],
  examples: [
    "deno task run pipelines/rotated_mnist.yaml --jobs 2",
    "deno task run pipelines/demo.yaml --set params.n=5 --only double --dry-run",
  ],
};

export const RUN_USAGE = `Usage: ${RUN_HELP.usage}`;

/** Signals closer than this are one Ctrl-C delivered twice, not a second press. */
const SAME_CTRL_C_MS = 500;

/** Runs the command; returns the exit code (0 ok, 1 a stage failed, 130 interrupted). */
export async function runCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, RUN_OPTIONS, "run");
  if (values.help) return usage(renderHelp(RUN_HELP), 0);
  if (positionals.length !== 1) {
    throw new UsageError(`run: expected one pipeline file\n${RUN_USAGE}`);
  }
  // Bad flags are bad usage, found before anything is loaded.
  const retries = values.retries === undefined ? 0 : nonNegativeInt("--retries", values.retries);
  const jobs = values.jobs === undefined ? undefined : positiveInt("--jobs", values.jobs);
  const cacheDir = cacheDirOf(values);
  // Loaded before the cache exists, a first run keeps the file's parse at its end.
  let storeParse: (() => void) | undefined;
  // A file run before with the same flags and code plans from its stored
  // graph: it is compiled only if a stage has to execute.
  const { graph: pipeline, compile } = await loadGraphArg(
    positionals[0]!,
    values,
    cacheDir,
    (store) => storeParse = store,
  );
  const forced = selectStages(pipeline, values.force ?? [], "--force");
  const only = values.only
    ? withAncestors(pipeline, selectStages(pipeline, values.only, "--only"))
    : undefined;
  const { name: executor, from } = chooseExecutor(values.executor, pipeline, {
    DROPLINE_EXECUTOR: Deno.env.get("DROPLINE_EXECUTOR"),
  });
  if (values["dry-run"]) return await dryRun(await compile(), cacheDir, forced, only, executor);
  const unreachable = executor === "slurm" ? await slurmUnreachable(from) : undefined;
  if (unreachable !== undefined) {
    // The cluster, not the command line, is the problem: exit 1, as for an unusable cache.
    console.error(unreachable);
    return 1;
  }
  const { SlurmExecutor } = executor === "slurm" ? await slurmModule() : { SlurmExecutor: null };

  const controller = new AbortController();
  const reporter = new TerminalReporter({
    live: Deno.stdout.isTerminal(),
    quiet: values.quiet === true,
    showCached: values.verbose === true || pipeline.stages.length <= 50,
    pipeline: pipeline.name,
    total: only ? only.size : pipeline.stages.length,
  });
  let interruptedAt = 0;
  const interrupt = () => {
    reporter.flush();
    if (controller.signal.aborted) {
      // One Ctrl-C can arrive twice: the terminal signals the whole process
      // group, and `deno task` forwards the signal it got to this process too.
      if (performance.now() - interruptedAt < SAME_CTRL_C_MS) return;
      Deno.exit(130);
    }
    interruptedAt = performance.now();
    console.log("\nInterrupted: stopping running stages (press Ctrl-C again to quit at once)");
    controller.abort();
  };
  Deno.addSignalListener("SIGINT", interrupt);
  Deno.addSignalListener("SIGTERM", interrupt);
  try {
    const summary = await runPipeline(pipeline, {
      cacheDir,
      ...(jobs ? { jobs } : {}),
      keepGoing: values["keep-going"] === true,
      forced,
      ...(only ? { selected: only } : {}),
      argv: args,
      reporter,
      signal: controller.signal,
      compile,
      executor: ({ runId, store }): Executor =>
        SlurmExecutor
          ? new SlurmExecutor({
            runId,
            pipelineName: pipeline.name,
            store,
            retries,
            keepGoing: values["keep-going"] === true,
            note: (message) => reporter.note(message),
          })
          : new LocalExecutor(store),
    });
    reporter.close();
    storeParse?.();
    const c = summary.counts;
    console.log(
      `${pipeline.name}: ${c.succeeded} ran, ${c.cached} cached, ${c.failed} failed, ${c.skipped} skipped` +
        (c.interrupted ? `, ${c.interrupted} interrupted` : "") +
        ` in ${formatDuration(summary.ms)} (run ${summary.runId})`,
    );
    const slowest = reporter.slowestLine();
    if (slowest) console.log(`  ${slowest}`);
    for (const f of summary.failures) {
      console.log(`  ✖ ${f.id}: ${f.message}${f.logPath ? `\n    log: ${f.logPath}` : ""}`);
    }
    return summary.state === "succeeded" ? 0 : summary.state === "interrupted" ? 130 : 1;
  } finally {
    reporter.close();
    Deno.removeSignalListener("SIGINT", interrupt);
    Deno.removeSignalListener("SIGTERM", interrupt);
  }
}

/** The Slurm executor's module, imported only for a run that uses it. */
function slurmModule(): Promise<typeof import("@dropline/engine/slurm")> {
  const specifier = "@dropline/engine/slurm";
  return import(specifier);
}

async function dryRun(
  pipeline: CompiledPipeline,
  cacheDir: string,
  forced: ReadonlySet<string>,
  only: ReadonlySet<string> | undefined,
  executorName: ExecutorName,
): Promise<number> {
  const store = new Store(cacheDir);
  const journal = JournalReader.open(cacheDir);
  store.useIndex(journal.objects);
  const plan = await planPipeline(pipeline, store, journal, forced);
  journal.close();
  // Nothing is submitted or started: the executor only says what it would do.
  const executor: Executor = executorName === "slurm"
    ? new (await slurmModule()).SlurmExecutor({
      runId: "dry-run",
      pipelineName: pipeline.name,
      store,
      retries: 0,
      note: () => {},
    })
    : new LocalExecutor(store);
  let toRun = 0;
  for (const stage of plan) {
    if (only && !only.has(stage.id)) continue;
    if (stage.action === "run") toRun++;
    // Where a stage runs is worth a line only when it is not here.
    const where = stage.action === "run" && executorName !== "local"
      ? `\n            ${executor.describe(pipeline.byId.get(stage.id)!)}`
      : "";
    console.log(
      `${
        stage.action === "run" ? "would run " : "cached    "
      } ${stage.id}: ${stage.reason}${where}`,
    );
  }
  console.log(
    `${pipeline.name}: ${toRun} would run, ${
      plan.length - toRun
    } cached (dry run: nothing executed)`,
  );
  return 0;
}

function nonNegativeInt(flag: string, value: string): number {
  const n = Number(value);
  // Number("") is 0: an empty value is refused, as by positiveInt().
  if (value.trim() === "" || !Number.isInteger(n) || n < 0) {
    throw new UsageError(`${flag} expects a whole number >= 0, got "${value}"`);
  }
  return n;
}

function usage(text: string, code: number): number {
  console.log(text);
  return code;
}

/** The command as `commands.ts` loads it. */
export const COMMAND: Command = { run: runCommand, options: RUN_OPTIONS, help: RUN_HELP };
