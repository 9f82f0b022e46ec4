import assert from "node:assert/strict";
import { domainbedTable, type TableEntry } from "./domainbed_table.ts";

const e = (
  row: string,
  column: string,
  trial: string,
  config: string,
  val: number,
  test: number,
): TableEntry => ({
  row,
  column,
  trial,
  config,
  val,
  test,
});

Deno.test("domainbedTable() selects by validation, never by test accuracy", () => {
  const table = domainbedTable([
    e("ERM", "S", "0", "lr=1", 0.9, 0.6),
    e("ERM", "S", "0", "lr=2", 0.8, 0.95),
  ]);
  assert.equal(table.rows[0]!.cells.S!.mean, 0.6);
  assert.equal(table.rows[0]!.selected.S!["0"], "lr=1");
});

Deno.test("domainbedTable() gives mean ± standard error over trials and an average column", () => {
  const table = domainbedTable([
    e("p=0.9", "A", "0", "-", 0.9, 0.8),
    e("p=0.9", "A", "1", "-", 0.9, 0.9),
    e("p=0.9", "B", "0", "-", 0.9, 0.6),
    e("p=0.9", "B", "1", "-", 0.9, 0.5),
    e("ERM", "A", "0", "-", 0.9, 0.7),
  ], { rows: ["ERM", "p=0.9"] });
  assert.deepEqual(table.columns, ["A", "B"]);
  assert.deepEqual(table.rows.map((r) => r.label), ["ERM", "p=0.9"]);
  const drop = table.rows[1]!;
  assert.ok(Math.abs(drop.cells.A!.mean - 0.85) < 1e-12);
  // DomainBed: np.std([0.8, 0.9] / sqrt(2)) = 0.05 / sqrt(2).
  assert.ok(Math.abs(drop.cells.A!.stderr! - 0.05 / Math.SQRT2) < 1e-12);
  assert.ok(Math.abs(drop.average!.mean - 0.7) < 1e-12); // trial averages 0.7 and 0.7
  assert.equal(drop.average!.stderr, 0);
  assert.equal(table.rows[0]!.cells.B, null);
  assert.equal(table.rows[0]!.average, null, "no average with a missing column");
});

Deno.test("domainbedTable() averages column means when trials differ between columns", () => {
  const table = domainbedTable([e("X", "A", "0", "-", 1, 0.8), e("X", "B", "1", "-", 1, 0.6)]);
  assert.deepEqual(table.rows[0]!.average, { mean: 0.7, stderr: null, n: 1 });
});
