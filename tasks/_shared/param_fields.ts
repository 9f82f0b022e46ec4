/**
 * Checks the parameter fields a fan-in stage names (a report's `rows_by`, a soup's `group_by`)
 * against the parameters its inputs have. Those are only known at run time, and a misspelt field
 * reads as null in every input: runs that differ would silently share one row or group.
 *
 * @example
 * ```ts
 * checkFields([{ dropout: 0.9, schedule: { kind: "early" } }], ["droput"], { option: "rows_by" });
 * // RangeError: Unknown rows_by field "droput": the inputs' parameters are "dropout", "schedule", "schedule.kind"
 * ```
 */

/** Every field of `params` by its dotted path: `schedule` and `schedule.kind`; arrays are leaves. */
export function fieldPaths(params: Record<string, unknown>, prefix = ""): string[] {
  return Object.entries(params).flatMap(([key, value]) => {
    const path = prefix + key;
    const nested = value !== null && typeof value === "object" && !Array.isArray(value)
      ? fieldPaths(value as Record<string, unknown>, `${path}.`)
      : [];
    return [path, ...nested];
  });
}

/** Options of {@linkcode checkFields}. */
export interface CheckFieldsOptions {
  /** The option that names the fields, for the message: `rows_by`. */
  option: string;
  /** Fields that may be absent from every input (the option's defaults). */
  optional?: readonly string[];
}

/**
 * Throws a `RangeError` naming the first of `fields` that no input's params have, and listing
 * the fields they do have. A field some inputs lack (a soup's `alpha`) is fine.
 */
export function checkFields(
  params: readonly Record<string, unknown>[],
  fields: readonly string[],
  options: CheckFieldsOptions,
): void {
  const known = new Set(params.flatMap((p) => fieldPaths(p)));
  const unknown = fields.find((f) => !known.has(f) && !options.optional?.includes(f));
  if (unknown === undefined) return;
  const list = [...known].sort().map((f) => `"${f}"`).join(", ");
  throw new RangeError(
    `Unknown ${options.option} field "${unknown}": the inputs' parameters are ${list || "none"}`,
  );
}
