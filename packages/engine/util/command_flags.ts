/**
 * A strict command-line flag parser for the CLI and the dashboard.
 *
 * Written here rather than taken from `node:util` because importing any of
 * Deno's Node modules but `node:sqlite` costs a no-op run ~30 ms of start-up:
 * a fifth of its time. The grammar is the usual one: `--name value`,
 * `--name=value`, `-x` for a flag with a short name, `--` ends the flags;
 * a string flag takes the next argument whatever it holds.
 *
 * @module
 */
import { UsageError } from "./usage_error.ts";
import { didYouMean } from "./suggest.ts";

/** One flag: a string (repeatable when `multiple`) or a boolean switch. */
export interface FlagSpec {
  type: "string" | "boolean";
  multiple?: boolean;
  /** A one-letter alias, given as `-x`. */
  short?: string;
  default?: string | boolean;
}

/** Flags by long name (without the leading dashes). */
export type FlagSpecs = Readonly<Record<string, FlagSpec>>;

type FlagValue<S extends FlagSpec> = S["type"] extends "boolean" ? boolean
  : S extends { multiple: true } ? string[]
  : string;

/** What was given: a value for each flag given (or defaulted), and the positional arguments. */
export interface ParsedFlags<O extends FlagSpecs> {
  values: {
    [K in keyof O]: O[K] extends { default: string | boolean } ? FlagValue<O[K]>
      : FlagValue<O[K]> | undefined;
  };
  positionals: string[];
}

/**
 * Parses `args` against `options`. Unknown flags (with a suggestion), a
 * missing value, a value given to a switch, and positional arguments where
 * none are taken become {@link UsageError}s.
 *
 * @example
 * ```ts
 * parseFlags(["p.yaml", "--jobs=2", "-h"], { jobs: { type: "string" }, help: { type: "boolean", short: "h" } });
 * // { values: { jobs: "2", help: true }, positionals: ["p.yaml"] }
 * ```
 */
export function parseFlags<const O extends FlagSpecs>(
  args: readonly string[],
  options: O,
  { positionals: allowPositionals = true }: { positionals?: boolean } = {},
): ParsedFlags<O> {
  const values: Record<string, string | boolean | string[]> = {};
  const positionals: string[] = [];
  const byShort = new Map<string, string>();
  for (const [name, spec] of Object.entries(options)) {
    if (spec.short) byShort.set(spec.short, name);
  }
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === "--") {
      positionals.push(...args.slice(i + 1));
      break;
    }
    if (!arg.startsWith("-") || arg === "-") {
      positionals.push(arg);
      continue;
    }
    const long = arg.startsWith("--");
    const equals = long ? arg.indexOf("=") : -1;
    const given = equals < 0 ? arg : arg.slice(0, equals);
    const name = long ? given.slice(2) : byShort.get(given.slice(1));
    const spec = name === undefined
      ? undefined
      : Object.hasOwn(options, name)
      ? options[name]
      : undefined;
    if (name === undefined || spec === undefined) {
      const names = Object.keys(options);
      const hint = long ? didYouMean(given.slice(2), names).replace('"', '"--') : "";
      throw new UsageError(`Unknown option "${given}"${hint}`);
    }
    if (spec.type === "boolean") {
      if (equals >= 0) throw new UsageError(`Option "--${name}" takes no value`);
      values[name] = true;
      continue;
    }
    let value: string;
    if (equals >= 0) value = arg.slice(equals + 1);
    else if (i + 1 < args.length) value = args[++i]!;
    else throw new UsageError(`Option "--${name}" needs a value`);
    if (spec.multiple) ((values[name] ??= []) as string[]).push(value);
    else values[name] = value;
  }
  for (const [name, spec] of Object.entries(options)) {
    if (!(name in values) && spec.default !== undefined) values[name] = spec.default;
  }
  if (!allowPositionals && positionals.length > 0) {
    throw new UsageError(`Unexpected argument "${positionals[0]}": this command takes only flags`);
  }
  return { values, positionals } as ParsedFlags<O>;
}
