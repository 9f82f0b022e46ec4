import assert from "node:assert/strict";
import type { SweepRow } from "@dropline/engine";
import { columnValue, filterRows, parseFilter, parseSort, sortRows } from "./sweep_filter.ts";

function row(stage: string, fields: Partial<SweepRow>): SweepRow {
  return {
    stage,
    name: stage.split("[")[0]!,
    task: "finetune",
    matrix: {},
    params: {},
    metrics: {},
    state: "succeeded",
    reason: "no previous run",
    durationMs: 1000,
    producedBy: "r1",
    outPath: null,
    metricsError: null,
    ...fields,
  };
}

const ROWS = [
  row("ft[p=0.5,m=soup]", {
    matrix: { p: 0.5, m: "soup" },
    params: { lr: 0.1, decay: { factor: 0.1 } },
    metrics: { test_acc: 0.7 },
  }),
  row("ft[p=0.9,m=soup]", {
    matrix: { p: 0.9, m: "soup" },
    params: { lr: 0.2, decay: { factor: 0.5 } },
    metrics: { test_acc: 0.9 },
    state: "cached",
  }),
  row("ft[p=0.99,m=greedy_soup]", {
    matrix: { p: 0.99, m: "greedy_soup" },
    params: { lr: 0.1 },
    metrics: { test_acc: null },
    state: "failed",
  }),
  row("report", { task: "report", durationMs: null }),
];

const ids = (rows: SweepRow[]) => rows.map((r) => r.stage);

Deno.test("parseFilter() reads KEY OP VALUE and says what it expects otherwise", () => {
  assert.deepEqual(parseFilter("p>=0.9"), { key: "p", op: ">=", value: "0.9" });
  assert.deepEqual(parseFilter(" m = soup "), { key: "m", op: "=", value: "soup" });
  assert.deepEqual(parseFilter("metrics.test_acc<0.8"), {
    key: "metrics.test_acc",
    op: "<",
    value: "0.8",
  });
  assert.throws(() => parseFilter("p"), /--filter "p": expected KEY OP VALUE with OP one of/);
  assert.throws(() => parseFilter("p>="), /expected KEY OP VALUE/);
  assert.throws(() => parseFilter("p>=high"), /">=" expects a number, got "high"/);
});

Deno.test("filterRows() compares numbers as numbers, text as text, and keeps rows meeting all", () => {
  assert.deepEqual(ids(filterRows(ROWS, [parseFilter("p>=0.9")])), [
    "ft[p=0.9,m=soup]",
    "ft[p=0.99,m=greedy_soup]",
  ]);
  assert.deepEqual(ids(filterRows(ROWS, [parseFilter("m=soup")])), [
    "ft[p=0.5,m=soup]",
    "ft[p=0.9,m=soup]",
  ]);
  assert.deepEqual(ids(filterRows(ROWS, [parseFilter("m~soup"), parseFilter("p!=0.5")])), [
    "ft[p=0.9,m=soup]",
    "ft[p=0.99,m=greedy_soup]",
  ]);
  assert.deepEqual(ids(filterRows(ROWS, [parseFilter("p=0.50")])), ["ft[p=0.5,m=soup]"]);
  assert.deepEqual(ids(filterRows(ROWS, [parseFilter("state!=cached"), parseFilter("stage=ft")])), [
    "ft[p=0.5,m=soup]",
    "ft[p=0.99,m=greedy_soup]",
  ]);
  // Params by dotted key, with or without the scope; a null metric matches no comparison.
  assert.deepEqual(ids(filterRows(ROWS, [parseFilter("decay.factor>0.2")])), ["ft[p=0.9,m=soup]"]);
  assert.deepEqual(ids(filterRows(ROWS, [parseFilter("params.lr=0.1")])), [
    "ft[p=0.5,m=soup]",
    "ft[p=0.99,m=greedy_soup]",
  ]);
  assert.deepEqual(ids(filterRows(ROWS, [parseFilter("test_acc>0")])), [
    "ft[p=0.5,m=soup]",
    "ft[p=0.9,m=soup]",
  ]);
});

Deno.test("filterRows() names a column no row has, with the closest one", () => {
  assert.throws(
    () => filterRows(ROWS, [parseFilter("tset_acc>0.5")]),
    /--filter: no column "tset_acc" \(did you mean "test_acc"\?\)/,
  );
  assert.throws(
    () => filterRows(ROWS, [parseFilter("zzzzzzzzzz=1")]),
    /no column "zzzzzzzzzz"; the columns are stage, id, task, state, duration, p, m, test_acc, lr/,
  );
});

Deno.test("sortRows() orders by a column either way and puts rows without a value last", () => {
  assert.deepEqual(ids(sortRows(ROWS, parseSort("test_acc:desc"))), [
    "ft[p=0.9,m=soup]",
    "ft[p=0.5,m=soup]",
    "ft[p=0.99,m=greedy_soup]",
    "report",
  ]);
  assert.deepEqual(ids(sortRows(ROWS, parseSort("test_acc"))), [
    "ft[p=0.5,m=soup]",
    "ft[p=0.9,m=soup]",
    "ft[p=0.99,m=greedy_soup]",
    "report",
  ]);
  assert.deepEqual(ids(sortRows(ROWS, parseSort("m:asc"))).slice(0, 2), [
    "ft[p=0.99,m=greedy_soup]",
    "ft[p=0.5,m=soup]",
  ]);
  assert.throws(() => parseSort("test_acc:up"), /expected a column, optionally with :asc or :desc/);
  assert.throws(() => sortRows(ROWS, parseSort("acc")), /--sort: no column "acc"/);
});

Deno.test("columnValue() reads fixed columns, matrix, metrics and params, scoped or not", () => {
  const r = ROWS[0]!;
  assert.equal(columnValue(r, "stage"), "ft");
  assert.equal(columnValue(r, "id"), "ft[p=0.5,m=soup]");
  assert.equal(columnValue(r, "duration"), 1000);
  assert.equal(columnValue(r, "matrix.p"), 0.5);
  assert.equal(columnValue(r, "metrics.test_acc"), 0.7);
  assert.equal(columnValue(r, "params.decay.factor"), 0.1);
  assert.equal(columnValue(r, "missing"), undefined);
});
