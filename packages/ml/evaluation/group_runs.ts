/**
 * Partitions runs by some of their parameters, as soups and reports need:
 * "every run with the same test domains and dropout rate" is one group. A run
 * describes itself by a flat parameter map; `test_domains` lists are joined.
 *
 * @example
 * ```ts
 * const groups = groupRuns(runs, (r) => r.params, ["test_domains", "dropout"]);
 * // [{ key: { test_domains: "S", dropout: 0.9 }, id: "test_domains=S,dropout=0.9", items: [...] }, ...]
 * ```
 */
export interface RunGroup<T> {
  key: Record<string, unknown>;
  /** Readable and unique: `name=value` pairs joined by commas. */
  id: string;
  items: T[];
}

/** The value a run has for a grouping field, normalised for comparison. */
export function fieldValue(params: Record<string, unknown>, field: string): unknown {
  const value = field.split(".").reduce<unknown>(
    (v, part) => (v && typeof v === "object" ? (v as Record<string, unknown>)[part] : undefined),
    params,
  );
  return Array.isArray(value) ? value.join("+") : value ?? null;
}

/** Groups in order of first appearance; items keep their order. */
export function groupRuns<T>(
  items: readonly T[],
  paramsOf: (item: T) => Record<string, unknown>,
  fields: readonly string[],
): RunGroup<T>[] {
  const groups = new Map<string, RunGroup<T>>();
  for (const item of items) {
    const params = paramsOf(item);
    const key = Object.fromEntries(fields.map((f) => [f, fieldValue(params, f)]));
    const id = fields.map((f) => `${f}=${formatValue(key[f])}`).join(",");
    const group = groups.get(id) ?? { key, id, items: [] };
    group.items.push(item);
    groups.set(id, group);
  }
  return [...groups.values()];
}

/** Keeps items whose params match every `where` entry (a value or a list of allowed values). */
export function filterRuns<T>(
  items: readonly T[],
  paramsOf: (item: T) => Record<string, unknown>,
  where: Record<string, unknown>,
): T[] {
  return items.filter((item) =>
    Object.entries(where).every(([field, wanted]) => {
      const value = fieldValue(paramsOf(item), field);
      const allowed = Array.isArray(wanted) ? wanted : [wanted];
      return allowed.some((a) => JSON.stringify(a) === JSON.stringify(value));
    })
  );
}

/** The fields whose values differ between items: what tells runs apart. */
export function varyingFields(params: readonly Record<string, unknown>[]): string[] {
  const names = new Set(params.flatMap((p) => Object.keys(p)));
  return [...names].filter((name) => new Set(params.map((p) => JSON.stringify(p[name]))).size > 1)
    .sort();
}

export function formatValue(value: unknown): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}
