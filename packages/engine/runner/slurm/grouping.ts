/**
 * Packing ready stages into Slurm jobs. On a busy cluster every job waits for
 * the scheduler (here about one job per free CPU per second), so a sweep of
 * tiny stages runs as a few jobs of many stages rather than one job each.
 * Pure.
 */
import type { Resources } from "../../pipeline/resources.ts";
import { canonicalJson } from "../../util/canonical_json.ts";

/** Anything with resources. */
export interface Groupable {
  resources: Resources;
}

/**
 * Splits `items` (in order) into jobs: only stages with the same resources
 * (time limits aside) share a job; a job takes at most `group_size` stages,
 * and with `group_time` only as many as fit in it by their time limits (a
 * stage without one takes a job of its own).
 * Without either, every stage is its own job.
 *
 * @example
 * ```ts
 * groupStages([a, b, c]); // [[a, b], [c]] when each has { groupSize: 2 }
 * ```
 */
export function groupStages<T extends Groupable>(items: readonly T[]): T[][] {
  const bySignature = new Map<string, T[]>();
  for (const item of items) {
    const { timeSeconds: _, ...shape } = item.resources;
    const signature = canonicalJson(shape);
    bySignature.set(signature, [...bySignature.get(signature) ?? [], item]);
  }
  return [...bySignature.values()].flatMap(pack);
}

function pack<T extends Groupable>(items: T[]): T[][] {
  const { groupSize, groupSeconds } = items[0]!.resources;
  const limit = groupSize ?? (groupSeconds === undefined ? 1 : Infinity);
  const groups: T[][] = [];
  let current: T[] = [];
  let seconds = 0;
  for (const item of items) {
    const time = item.resources.timeSeconds;
    const overTime = groupSeconds !== undefined && current.length > 0 &&
      (time === undefined || seconds + time > groupSeconds);
    if (current.length >= limit || overTime) {
      groups.push(current);
      current = [];
      seconds = 0;
    }
    current.push(item);
    // Without a time limit a stage's length is unknown: it fills the job alone.
    seconds += time ?? groupSeconds ?? 0;
  }
  if (current.length > 0) groups.push(current);
  return groups;
}

/**
 * The resources of a job running stages with `members` resources one after
 * another: theirs, with the sum of their time limits (no limit when one of
 * them has none).
 *
 * @example
 * ```ts
 * jobResources([{ cpus: 1, timeSeconds: 60 }, { cpus: 1, timeSeconds: 120 }]);
 * // { cpus: 1, timeSeconds: 180 }
 * ```
 */
export function jobResources(members: readonly Resources[]): Resources {
  const { timeSeconds: _, groupSize: _size, groupSeconds: _seconds, ...shape } = members[0]!;
  let total = 0;
  for (const member of members) {
    if (member.timeSeconds === undefined) return shape;
    total += member.timeSeconds;
  }
  return { ...shape, timeSeconds: total };
}
