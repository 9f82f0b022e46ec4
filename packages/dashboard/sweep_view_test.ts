import assert from "node:assert/strict";
import { formatDuration } from "@dropline/format";
import { gridRows, sweepRow } from "./_sweep_rows.ts";
import { parseSweepQuery, sweepSearch } from "./sweep_query.ts";
import { sweepView } from "./sweep_view.ts";
import { HttpError } from "./http_error.ts";

const view = (search: string, rows = gridRows()) =>
  sweepView(rows, parseSweepQuery(new URLSearchParams(search)), formatDuration);
const shown = (search: string) => view(search).rows.filter((r) => r.shown).map((r) => r.row.stage);

Deno.test("sweepView() has a column per axis, varying param and headline metric", () => {
  const rows = gridRows();
  rows[0]!.params.steps = 50;
  const { columns, axes } = view("", rows);
  assert.deepEqual(columns.map((c) => c.key), [
    "m:method",
    "m:dropout",
    "m:seed",
    "p:steps",
    "h:val_acc",
    "h:test_acc",
    "state",
    "duration",
  ]);
  assert.deepEqual(axes.map((a) => [a.name, a.values, a.numeric]), [
    ["method", ["erm", "soup"], false],
    ["dropout", ["0", "0.5", "0.9"], true],
    ["seed", ["0", "1"], true],
  ]);
});

Deno.test("sweepView() filters by any matrix axis and by stage", () => {
  assert.deepEqual(shown("f.method=soup&f.dropout=0.9"), [
    "train[method=soup,dropout=0.9,seed=0]",
    "train[method=soup,dropout=0.9,seed=1]",
  ]);
  assert.equal(view("f.seed=1").shownCount, 6);
  const rows = [...gridRows(), sweepRow("average[method=erm]", { method: "erm" })];
  assert.equal(view("stage=average", rows).shownCount, 1);
  assert.deepEqual(view("", rows).stages, [{ name: "train", count: 12 }, {
    name: "average",
    count: 1,
  }]);
});

Deno.test("sweepView() sorts numbers as numbers with empty cells last either way", () => {
  const rows = gridRows();
  rows[3]!.metrics = {};
  const up = view("sort=h:test_acc", rows).rows.map((r) => r.cells["h:test_acc"]!.text);
  assert.deepEqual(up.slice(0, 3), ["0.61", "0.62", "0.65"]);
  assert.equal(up.at(-1), "");
  const down = view("sort=h:test_acc&order=desc", rows).rows.map((r) => r.row.stage);
  assert.equal(down[0], "train[method=soup,dropout=0,seed=1]");
  assert.equal(down.at(-1), rows[3]!.stage);
  // Text sorts naturally: "soup" after "erm".
  assert.equal(view("sort=m:method&order=desc").rows[0]!.row.matrix.method, "soup");
});

Deno.test("sweepView() shows the chosen columns only", () => {
  const { visible } = view("cols=m:dropout,h:test_acc");
  assert.deepEqual([...visible], ["m:dropout", "h:test_acc"]);
});

Deno.test("sweepView() answers an unknown axis, column or stage with a 400 naming the known ones", () => {
  for (
    const [search, message] of [
      ["f.sed=0", /Unknown axis "sed" \(did you mean "seed"\?\); known: method, dropout, seed/],
      ["sort=h:test", /Unknown column "h:test"/],
      ["cols=m:seed,bogus", /Unknown column "bogus"/],
      ["stage=trian", /Unknown stage "trian" \(did you mean "train"\?\)/],
      ["order=up", /"order" must be asc or desc, got "up"/],
    ] as const
  ) {
    assert.throws(() => view(search), (error) => {
      assert.ok(error instanceof HttpError && error.status === 400, search);
      assert.match(error.message, message);
      return true;
    });
  }
});

Deno.test("sweepSearch() writes back the query it was read from", () => {
  const search = "?stage=train&f.seed=0&sort=h%3Atest_acc&order=desc&cols=m%3Aseed&metric=test_acc";
  const params = new URLSearchParams(search);
  assert.equal(
    sweepSearch(parseSweepQuery(params), { metric: "test_acc", x: null, by: null }),
    search,
  );
});
