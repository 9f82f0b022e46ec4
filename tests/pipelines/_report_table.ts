/**
 * Reading a finished pipeline's report the way a user would: find the report
 * stage's published output by its key and parse the o.o.d. table of
 * `report.md`.
 *
 * @example
 * ```ts
 * const { columns, rows } = await reportTable(cacheDir, reportKey);
 * rows[0]; // { label: "Fine-tune (p=0)", cells: ["97.1 ± 0.2", ...] }
 * ```
 * @module
 */
import { join } from "node:path";
import { CacheLayout } from "@dropline/engine";

/** What `status --json` prints. */
export interface StatusJson {
  stages: { id: string; key: string | null; state: string; reason: string }[];
}

/** One row of a Markdown table: its label and its cells' text. */
export interface TableRow {
  label: string;
  cells: string[];
}

/** The published output directory of a stage key in a cache. */
export function outputDir(cache: string, key: string): string {
  return new CacheLayout(cache).outDir(key);
}

/**
 * The first table of `text` after the heading line starting with `heading`:
 * its column names (without the first) and rows.
 *
 * @example
 * ```ts
 * markdownTable("## T\n\n| Method | A | Avg |\n| --- | --- | --- |\n| X | 1.0 | 1.0 |", "## T");
 * // { columns: ["A", "Avg"], rows: [{ label: "X", cells: ["1.0", "1.0"] }] }
 * ```
 */
export function markdownTable(
  text: string,
  heading: string,
): { columns: string[]; rows: TableRow[] } {
  const lines = text.split("\n");
  const start = lines.findIndex((l) => l.startsWith(heading));
  if (start < 0) throw new Error(`No heading "${heading}" in the report`);
  const after = lines.slice(start + 1);
  const first = after.findIndex((l) => l.startsWith("|"));
  const end = after.findIndex((l, i) => i > first && !l.startsWith("|"));
  const table = first < 0 ? [] : after.slice(first, end < 0 ? undefined : end);
  const split = (line: string) => line.slice(1, -1).split(" | ").map((c) => c.trim());
  const [head, _rule, ...body] = table;
  if (!head) throw new Error(`No table under "${heading}"`);
  return {
    columns: split(head).slice(1),
    rows: body.map((line) => {
      const [label = "", ...cells] = split(line);
      return { label, cells };
    }),
  };
}

/** The o.o.d. table of the report published under `key`. */
export async function reportTable(cache: string, key: string) {
  const text = await Deno.readTextFile(join(outputDir(cache, key), "report.md"));
  return markdownTable(text, "## Test-domain (o.o.d.) accuracy");
}
