/**
 * A stage's cluster resources (`resources:` in YAML, defaults at the top of
 * the file): checked and normalised here, rendered to `sbatch` flags by the
 * Slurm executor. Resources are not part of a stage's key: they change where
 * and how fast a stage runs, not what it produces.
 */
import { didYouMean } from "../util/suggest.ts";
import type { ValuePath } from "./source.ts";

/** Resources after templates are rendered and values checked. */
export interface Resources {
  /** CPUs per task (`--cpus-per-task`). */
  cpus?: number;
  /** Memory in MiB (`--mem`). */
  memMiB?: number;
  /** Time limit in seconds (`--time`, which Slurm rounds up to minutes). */
  timeSeconds?: number;
  /** `--gpus`: a count, or `type:count`. */
  gpus?: string;
  partition?: string;
  account?: string;
  /** More sbatch flags, passed as they are. */
  extra?: string[];
  /** At most this many stages are packed into one Slurm job. */
  groupSize?: number;
  /** Stages are packed into one job while the sum of their time limits stays within this (seconds). */
  groupSeconds?: number;
}

/** The keys `resources:` accepts. */
export const RESOURCE_KEYS = [
  "cpus",
  "mem",
  "time",
  "gpus",
  "partition",
  "account",
  "extra",
  "group_size",
  "group_time",
] as const;

/** An sbatch option by its long name (without `--`) and its one-letter form, if any. */
export interface SbatchOption {
  long: string;
  short?: string;
}

/** Options dropline sets itself: they tag, place and track the run's jobs (see sbatch_args.ts). */
export const OWNED_SBATCH_OPTIONS: readonly SbatchOption[] = [
  { long: "job-name", short: "J" },
  { long: "output", short: "o" },
  { long: "error", short: "e" },
  { long: "comment" },
  { long: "parsable" },
  { long: "array", short: "a" },
  { long: "chdir", short: "D" },
  { long: "requeue" },
  { long: "no-requeue" },
  { long: "wrap" },
];

/** The options each `resources` field renders (or that would contradict it). */
const FIELD_OPTIONS: Readonly<Record<string, readonly SbatchOption[]>> = {
  cpus: [{ long: "cpus-per-task", short: "c" }],
  mem: [{ long: "mem" }, { long: "mem-per-cpu" }, { long: "mem-per-gpu" }],
  time: [{ long: "time", short: "t" }],
  gpus: [{ long: "gpus", short: "G" }],
  partition: [{ long: "partition", short: "p" }],
  account: [{ long: "account", short: "A" }],
};

/** The `resources` field each normalised {@link Resources} key comes from. */
const FIELD_OF_KEY: Readonly<Partial<Record<keyof Resources, string>>> = {
  cpus: "cpus",
  memMiB: "mem",
  timeSeconds: "time",
  gpus: "gpus",
  partition: "partition",
  account: "account",
};

/** The `resources` fields behind the keys `resources` holds (`memMiB` -> `mem`). */
export function fieldsOf(resources: Resources): string[] {
  return Object.keys(resources).flatMap((key) => FIELD_OF_KEY[key as keyof Resources] ?? []);
}

/** sbatch's one-letter options that take no value: more letters may follow them (`-HJx`). */
const NO_VALUE_LETTERS = new Set(["H", "h", "O", "Q", "s", "u", "V", "v", "W"]);

/** Reports a problem at a value (or, with `atKey`, at the key naming it). */
export type ResourceReport = (path: ValuePath, message: string, atKey?: boolean) => void;

/**
 * Checks a rendered `resources` map; problems go to `report` with their path.
 *
 * @example
 * ```ts
 * readResources({ cpus: 2, mem: "4G", time: "2h" }, ["resources"], report);
 * // { cpus: 2, memMiB: 4096, timeSeconds: 7200 }
 * ```
 */
export function readResources(raw: unknown, path: ValuePath, report: ResourceReport): Resources {
  if (raw === undefined || raw === null) return {};
  if (typeof raw !== "object" || Array.isArray(raw)) {
    report(path, `Expected a map of resources (${RESOURCE_KEYS.join(", ")})`);
    return {};
  }
  const resources: Resources = {};
  for (const [key, value] of Object.entries(raw)) {
    const at = [...path, key];
    const fail = (message: string) => report(at, message);
    switch (key) {
      case "cpus":
      case "group_size": {
        const n = positiveInt(value);
        if (n === undefined) fail(`Expected a positive whole number, got ${shown(value)}`);
        else if (key === "cpus") resources.cpus = n;
        else resources.groupSize = n;
        break;
      }
      case "mem": {
        const mib = parseMemory(value);
        if (typeof mib === "string") fail(mib);
        else resources.memMiB = mib;
        break;
      }
      case "time":
      case "group_time": {
        const seconds = parseDuration(value);
        if (typeof seconds === "string") fail(seconds);
        else if (key === "time") resources.timeSeconds = seconds;
        else resources.groupSeconds = seconds;
        break;
      }
      case "gpus": {
        const gpus = typeof value === "number" ? String(value) : value;
        if (typeof gpus !== "string" || !/^([A-Za-z0-9_.-]+:)?[1-9]\d*$/.test(gpus)) {
          fail(`Expected a GPU count or "type:count" (e.g. 1, "a100:2"), got ${shown(value)}`);
        } else resources.gpus = gpus;
        break;
      }
      case "partition":
      case "account":
        if (typeof value !== "string" || !/^[^\s=]+$/.test(value)) {
          fail(`Expected a ${key} name without spaces, got ${shown(value)}`);
        } else resources[key] = value;
        break;
      case "extra":
        // Checked once every field is known: a flag may repeat one of them.
        break;
      default:
        report(
          at,
          `Unknown resource "${key}"${didYouMean(key, RESOURCE_KEYS)}; expected one of ${
            RESOURCE_KEYS.join(", ")
          }`,
          true,
        );
    }
  }
  if (Object.hasOwn(raw, "extra")) {
    const given = Object.keys(raw).filter((key) => Object.hasOwn(FIELD_OPTIONS, key));
    const extra = readExtra((raw as Record<string, unknown>).extra, [...path, "extra"], {
      given,
      report,
    });
    if (extra) resources.extra = extra;
  }
  return resources;
}

function readExtra(
  value: unknown,
  at: ValuePath,
  { given, report }: { given: readonly string[]; report: ResourceReport },
): string[] | undefined {
  if (!Array.isArray(value)) {
    report(at, `Expected a list of sbatch flags (e.g. ["--constraint=a100"]), got ${shown(value)}`);
    return undefined;
  }
  let ok = true;
  value.forEach((flag, i) => {
    const problem = typeof flag !== "string" || !flag.startsWith("-")
      ? `Expected an sbatch flag starting with "-", got ${shown(flag)}`
      : flagProblem(flag, given);
    if (problem === undefined) return;
    ok = false;
    report([...at, i], problem);
  });
  return ok ? value as string[] : undefined;
}

/**
 * Why an `extra` flag is refused, in any spelling sbatch accepts: `--name`,
 * `--name=value`, an abbreviation (`--job`), `-X`, `-Xvalue`, or letters
 * bundled after value-less ones (`-HJx`).
 */
function flagProblem(flag: string, given: readonly string[]): string | undefined {
  const shownFlag = flag.startsWith("--") ? flag.split("=")[0]! : flag;
  // "-c4" is --cpus-per-task, ...; "--mem" needs no translation.
  const spelled = (option: SbatchOption, then: string, plain: string) =>
    shownFlag === `--${option.long}`
      ? `"${shownFlag}" ${plain}`
      : `"${shownFlag}" is --${option.long}, ${then}`;
  const owned = OWNED_SBATCH_OPTIONS.find((option) => sets(flag, option));
  if (owned) {
    const why = "set by dropline (it tags and tracks the run's jobs)";
    return spelled(owned, why, `is ${why}`);
  }
  for (const field of given) {
    const option = FIELD_OPTIONS[field]!.find((option) => sets(flag, option));
    const repeats = `\`${field}\` of the same resources: give it once`;
    if (option) return spelled(option, `which repeats ${repeats}`, `repeats ${repeats}`);
  }
  return undefined;
}

/**
 * The first of `extra`'s flags that sets one of `fields` (a resource field
 * such as `mem`), with that field; used where defaults and a stage's own map
 * meet, since the merged `sbatch` line would carry both.
 *
 * @example
 * ```ts
 * flagSettingField(["--constraint=a100", "--mem=2G"], ["mem"]); // { index: 1, field: "mem" }
 * ```
 */
export function flagSettingField(
  extra: readonly string[],
  fields: readonly string[],
): { index: number; field: string } | undefined {
  for (const [index, flag] of extra.entries()) {
    const field = fields.find((f) =>
      Object.hasOwn(FIELD_OPTIONS, f) && FIELD_OPTIONS[f]!.some((option) => sets(flag, option))
    );
    if (field !== undefined) return { index, field };
  }
  return undefined;
}

/** Whether sbatch may read `flag` as `option` (it accepts unambiguous abbreviations). */
function sets(flag: string, option: SbatchOption): boolean {
  if (flag.startsWith("--")) {
    const name = flag.slice(2).split(/[=\s]/)[0]!;
    return name !== "" && option.long.startsWith(name);
  }
  for (const letter of flag.slice(1)) {
    if (letter === option.short) return true;
    // The rest of the word is this letter's value.
    if (!NO_VALUE_LETTERS.has(letter)) return false;
  }
  return false;
}

/**
 * Memory in MiB from `500M`, `4G`, `1.5GB`, `2048` (MiB, as Slurm reads a bare number).
 * Returns a message when the value is not memory.
 *
 * @example
 * ```ts
 * parseMemory("4G"); // 4096
 * ```
 */
export function parseMemory(value: unknown): number | string {
  const text = typeof value === "number" ? String(value) : value;
  const match = typeof text === "string"
    ? /^(\d+(?:\.\d+)?)\s*([KMGT]?)(?:i?B)?$/i.exec(text.trim())
    : null;
  const scale: Record<string, number> = { K: 1 / 1024, "": 1, M: 1, G: 1024, T: 1024 * 1024 };
  const mib = match ? Math.ceil(Number(match[1]) * scale[match[2]!.toUpperCase()]!) : 0;
  return mib > 0
    ? mib
    : `Expected memory like "500M", "4G" or a number of MiB, got ${shown(value)}`;
}

/**
 * A time limit in seconds from `90s`, `30m`, `2h`, `1d12h`, Slurm's `MM`, `MM:SS`,
 * `HH:MM:SS`, `D-HH`, `D-HH:MM`, `D-HH:MM:SS`, or a number of minutes.
 * Returns a message when the value is not a duration.
 *
 * @example
 * ```ts
 * parseDuration("1h30m"); // 5400
 * parseDuration("1-00:00:00"); // 86400
 * ```
 */
export function parseDuration(value: unknown): number | string {
  const seconds = typeof value === "number"
    ? (Number.isInteger(value) ? value * 60 : 0)
    : typeof value === "string"
    ? unitDuration(value.trim()) ?? slurmDuration(value.trim()) ?? 0
    : 0;
  return seconds > 0
    ? seconds
    : `Expected a time limit like "30m", "2h", "1d12h", "1-12:00:00" or minutes as a number, got ${
      shown(value)
    }`;
}

function unitDuration(text: string): number | undefined {
  const match = /^(?:(\d+)d)?\s*(?:(\d+)h)?\s*(?:(\d+)m(?:in)?)?\s*(?:(\d+)s)?$/i.exec(text);
  if (!match || text === "") return undefined;
  const [d, h, m, s] = match.slice(1).map((part) => Number(part ?? 0));
  return d! * 86400 + h! * 3600 + m! * 60 + s!;
}

function slurmDuration(text: string): number | undefined {
  const dayMatch = /^(\d+)-(\d+)(?::(\d+))?(?::(\d+))?$/.exec(text);
  if (dayMatch) {
    const [d, h, m, s] = dayMatch.slice(1).map((part) => Number(part ?? 0));
    return d! * 86400 + h! * 3600 + m! * 60 + s!;
  }
  const parts = /^\d+(:\d+){0,2}$/.test(text) ? text.split(":").map(Number) : undefined;
  if (!parts) return undefined;
  if (parts.length === 1) return parts[0]! * 60;
  if (parts.length === 2) return parts[0]! * 60 + parts[1]!;
  return parts[0]! * 3600 + parts[1]! * 60 + parts[2]!;
}

function positiveInt(value: unknown): number | undefined {
  const n = typeof value === "string" && /^\d+$/.test(value) ? Number(value) : value;
  return typeof n === "number" && Number.isInteger(n) && n > 0 ? n : undefined;
}

function shown(value: unknown): string {
  return typeof value === "string" ? `"${value}"` : JSON.stringify(value) ?? String(value);
}
