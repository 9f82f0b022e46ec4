import assert from "node:assert/strict";
import type { RunRecord, SweepRow } from "@dropline/engine";
import { sweepColumns, sweepCsv, sweepJson, sweepText } from "./sweep_table.ts";

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
    durationMs: 65_000,
    producedBy: "r1",
    outPath: null,
    metricsError: null,
    ...fields,
  };
}

const ROWS = [
  row("ft[p=0.5]", {
    matrix: { p: 0.5 },
    params: { p: 0.5, lr: 0.1, note: 'say "hi", twice', data: "<out:x[p=0.5]>" },
    metrics: { val_acc: 0.91234, test_acc: 0.8 },
  }),
  row("ft[p=0.9]", {
    matrix: { p: 0.9 },
    params: { p: 0.9, lr: 0.02, note: "ok", data: "<out:x[p=0.9]>" },
    metrics: {},
    state: "failed",
    durationMs: null,
  }),
  row("avg", { task: "average", metrics: { "soup.test_acc": 0.85 } }),
];

Deno.test("sweepColumns() has every matrix axis and metric and the params that vary", () => {
  assert.deepEqual(sweepColumns(ROWS), {
    matrix: ["p"],
    params: ["lr", "note"],
    metrics: ["val_acc", "test_acc", "soup.test_acc"],
  });
});

Deno.test("sweepText() prints one aligned table per stage, numbers to the right", () => {
  assert.equal(
    sweepText(ROWS),
    [
      "ft (2 rows)",
      "  p    lr  note             val_acc  test_acc  state      time",
      '0.5   0.1  say "hi", twice   0.9123    0.8000  succeeded  1 min 5 s',
      "0.9  0.02  ok                     -         -  failed     -",
      "",
      "avg (1 row)",
      "soup.test_acc  state      time",
      "       0.8500  succeeded  1 min 5 s",
      "",
    ].join("\n"),
  );
});

Deno.test("sweepCsv() quotes what needs it and keeps full precision", () => {
  assert.equal(
    sweepCsv(ROWS),
    [
      "id,stage,task,state,duration_ms,p,lr,note,val_acc,test_acc,soup.test_acc",
      'ft[p=0.5],ft,finetune,succeeded,65000,0.5,0.1,"say ""hi"", twice",0.91234,0.8,',
      "ft[p=0.9],ft,finetune,failed,,0.9,0.02,ok,,,",
      "avg,avg,average,succeeded,65000,,,,,,0.85",
      "",
    ].join("\n"),
  );
});

Deno.test("sweepJson() holds the run, the columns and whole rows", () => {
  const run = {
    id: "r1",
    pipeline: "demo",
    state: "succeeded",
    startedAt: 1,
    endedAt: 2,
    argv: ["p.yaml"],
    pipelineFile: "/p.yaml",
    heartbeatAt: 2,
    host: "h",
    pid: 1,
    stageCount: 3,
    noop: false,
  } satisfies RunRecord;
  const json = sweepJson(run, ROWS);
  assert.deepEqual(json.run, {
    id: "r1",
    pipeline: "demo",
    state: "succeeded",
    startedAt: 1,
    endedAt: 2,
    argv: ["p.yaml"],
  });
  assert.deepEqual(json.rows, ROWS);
  assert.deepEqual(json.columns, sweepColumns(ROWS));
});
