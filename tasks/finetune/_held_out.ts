/**
 * Checkpoints are selected by training-domain validation: accuracy on each
 * training domain's held-out (out-split) rows. A domain without any (a data
 * set made with `holdout_fraction: 0`, or too few images to hold one out)
 * would score 0 at every step and select the untrained model; refuse it
 * before training instead.
 */
import type { LabelledRows } from "@dropline/ml";
import { TaskError } from "@dropline/task";

/**
 * Throws a `TaskError` naming the training domains that have no held-out row.
 *
 * @example
 * ```ts
 * requireHeldOut(data, roles.trainDomains, data.info.domains);
 * ```
 */
export function requireHeldOut(
  rows: Pick<LabelledRows, "domains" | "split">,
  trainDomains: readonly number[],
  names: readonly string[],
): void {
  const held = new Set<number>();
  for (let i = 0; i < rows.split.length; i++) if (rows.split[i] === 1) held.add(rows.domains[i]!);
  const missing = trainDomains.filter((d) => !held.has(d)).map((d) => `"${names[d]}"`);
  if (missing.length === 0) return;
  const which = missing.length > 1
    ? `Training domains ${missing.join(", ")} have`
    : `Training domain ${missing[0]} has`;
  throw new TaskError(
    `${which} no held-out (out-split) rows: checkpoint ` +
      "selection scores them (training-domain validation). Make the data set with a " +
      "`holdout_fraction` above 0, or with enough images per domain to hold some out",
  );
}
