/**
 * Headline metrics: the few numbers of a stage's result that tables compare
 * across a sweep (`deno task exp`, the dashboard's sweep table). A task
 * declares where they are in one of its published JSON outputs; the engine
 * reads them without knowing which task it reads.
 */

/** Where a task's headline metrics are and how to read them. */
export interface Headline {
  /** The JSON output file (relative to the output directory) they are read from. */
  file: string;
  /**
   * The headline metrics from the file's parsed content, by name, in column
   * order. A metric the content lacks is null. Must be pure and cheap: it
   * runs once per stage expansion for every table shown.
   */
  read(content: unknown): Record<string, number | null>;
}

/**
 * The number at a dotted path of parsed JSON, or null when the path is
 * missing or does not end at a finite number.
 *
 * @example
 * ```ts
 * numberAt({ selected: { ood: 0.91 } }, "selected.ood"); // 0.91
 * numberAt({ selected: {} }, "selected.ood"); // null
 * ```
 */
export function numberAt(content: unknown, path: string): number | null {
  let value = content;
  for (const part of path.split(".")) {
    if (value === null || typeof value !== "object") return null;
    value = (value as Record<string, unknown>)[part];
  }
  return typeof value === "number" && Number.isFinite(value) ? value : null;
}
