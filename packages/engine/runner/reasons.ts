/**
 * Why a stage runs or is reused: the decision and its explanation. Pure.
 */
import { canonicalJson } from "../util/canonical_json.ts";
import type { KeyInputs } from "./stage_key.ts";

/** Key inputs as the journal records them: plus the pipeline params the stage used. */
export type RecordedInputs = KeyInputs & { usedParams?: Record<string, unknown> };

/** What the store and journal know about a stage's key. */
export interface DecisionFacts {
  key: string;
  inputs: RecordedInputs;
  forced: boolean;
  /** The store's answer for this key. */
  stored: { state: "present" } | { state: "absent" } | { state: "corrupt"; reason: string };
  /** The latest keyed attempt of this stage id in this pipeline. */
  previous?: {
    key: string | null;
    inputs: RecordedInputs | undefined;
    state: string;
    error: string | null;
  };
}

/** Run the stage or reuse its stored result, and why. */
export type Decision = { action: "reuse" | "run"; reason: string };

/**
 * Decides what to do with a stage whose key is known.
 *
 * @example
 * ```ts
 * decide({ key, inputs, forced: true, stored: { state: "present" } }); // { action: "run", reason: "forced (--force)" }
 * ```
 */
export function decide(facts: DecisionFacts): Decision {
  if (facts.forced) return { action: "run", reason: "forced (--force)" };
  if (facts.stored.state === "present") {
    return { action: "reuse", reason: "result for this key is stored" };
  }
  if (facts.stored.state === "corrupt") {
    return { action: "run", reason: `stored result is corrupted (${facts.stored.reason})` };
  }
  const previous = facts.previous;
  if (!previous?.inputs) {
    return { action: "run", reason: "no result for this key (the stage never ran)" };
  }
  if (previous.key === facts.key) {
    if (previous.state === "failed") {
      return { action: "run", reason: "no result for this key (the last attempt failed)" };
    }
    if (previous.state === "interrupted" || previous.state === "running") {
      return { action: "run", reason: "no result for this key (the last attempt was interrupted)" };
    }
    if (previous.state === "skipped" || previous.state === "pending") {
      // Keyed ahead of time, then not started: the run stopped first.
      return { action: "run", reason: "no result for this key (its last run stopped before it)" };
    }
    return { action: "run", reason: "no result for this key (it was removed from the store)" };
  }
  const changes = describeChanges(previous.inputs, facts.inputs);
  return { action: "run", reason: changes.length ? changes.join("; ") : "no result for this key" };
}

/**
 * What differs between the key inputs of the last recorded run and now.
 *
 * @example
 * ```ts
 * describeChanges(old, now); // ['param "n" changed from 3 to 5', 'upstream "make" changed']
 * ```
 */
export function describeChanges(before: RecordedInputs, after: RecordedInputs): string[] {
  const changes: string[] = [];
  if (before.task !== after.task) {
    changes.push(`task changed from "${before.task}" to "${after.task}"`);
  }
  if (before.version !== after.version) {
    changes.push(`task version changed from ${before.version} to ${after.version}`);
  }
  // A changed pipeline param explains the `with` fields rendered from it.
  const pipelineParams = diffParams(
    new Map(Object.entries(before.usedParams ?? {})),
    new Map(Object.entries(after.usedParams ?? {})),
  );
  changes.push(
    ...(pipelineParams.length
      ? pipelineParams
      : diffParams(flatten(before.params, "with"), flatten(after.params, "with"))),
  );
  changes.push(...diffDigests("upstream", before.upstream, after.upstream));
  changes.push(...diffDigests("input file", before.files, after.files));
  changes.push(...diffEnvironment(before.env ?? {}, after.env ?? {}));
  return changes;
}

function diffParams(before: Map<string, unknown>, after: Map<string, unknown>): string[] {
  const out: string[] = [];
  for (const [path, value] of after) {
    if (!before.has(path)) out.push(`param "${path}" added (${show(value)})`);
    else if (canonicalJson(before.get(path)) !== canonicalJson(value)) {
      out.push(`param "${path}" changed from ${show(before.get(path))} to ${show(value)}`);
    }
  }
  for (const [path, value] of before) {
    if (!after.has(path)) out.push(`param "${path}" removed (was ${show(value)})`);
  }
  return out;
}

function diffDigests(
  what: string,
  before: Record<string, string>,
  after: Record<string, string>,
): string[] {
  const out: string[] = [];
  for (const [name, digest] of Object.entries(after)) {
    if (!(name in before)) out.push(`${what} "${name}" added`);
    else if (before[name] !== digest) out.push(`${what} "${name}" changed`);
  }
  for (const name of Object.keys(before)) {
    if (!(name in after)) out.push(`${what} "${name}" removed`);
  }
  return out;
}

function diffEnvironment(before: Record<string, string>, after: Record<string, string>): string[] {
  const names = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...names].filter((name) => before[name] !== after[name]).map((name) =>
    `environment "${name}" changed from ${show(before[name] ?? null)} to ${
      show(after[name] ?? null)
    }`
  );
}

/** Leaf values by dotted path; lists are leaves (a changed list reads better whole). */
function flatten(
  value: unknown,
  prefix = "",
  out = new Map<string, unknown>(),
): Map<string, unknown> {
  if (
    typeof value === "object" && value !== null && !Array.isArray(value) &&
    Object.keys(value).length > 0
  ) {
    for (const [k, v] of Object.entries(value)) flatten(v, prefix ? `${prefix}.${k}` : k, out);
  } else {
    out.set(prefix, value);
  }
  return out;
}

function show(value: unknown): string {
  const text = JSON.stringify(value) ?? "undefined";
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
