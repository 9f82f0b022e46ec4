import assert from "node:assert/strict";
import { appendEvent, metricsExportPaths, plotsCsv, writePlots } from "./metrics_export.ts";
import { maskedCrc32c } from "./tfevents.ts";

Deno.test("metricsExportPaths() puts the exports beside the attempt's log, by stage id", () => {
  assert.deepEqual(metricsExportPaths("/c/logs/r1/3.log", "train[p=0.9]", 17, "node1"), {
    events: "/c/logs/r1/tensorboard/train[p=0.9]/events.out.tfevents.17.node1",
    plots: "/c/logs/r1/plots/train[p=0.9].csv",
  });
});

Deno.test("plotsCsv() has step first, every name once and empty cells for missing values", () => {
  assert.equal(
    plotsCsv([{ step: 0, loss: 2 }, { loss: 1, step: 10, val_acc: 0.5 }]),
    "step,loss,val_acc\n0,2,\n10,1,0.5\n",
  );
});

Deno.test("appendEvent() starts the file with its version and appends one record per call", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/tensorboard/a/events.out.tfevents.1.h`;
    appendEvent(path, { step: 0, loss: 1 }, 10);
    appendEvent(path, { step: 1, loss: 0.5 }, 11);
    const bytes = await Deno.readFile(path);
    const view = new DataView(bytes.buffer);
    const lengths: number[] = [];
    for (let at = 0; at < bytes.length;) {
      const length = Number(view.getBigUint64(at, true));
      assert.equal(
        view.getUint32(at + 12 + length, true),
        maskedCrc32c(bytes.subarray(at + 12, at + 12 + length)),
      );
      lengths.push(length);
      at += 16 + length;
    }
    assert.equal(lengths.length, 3, "version, then two scalar events");
    // writePlots reads the JSONL, skipping a line cut short by a kill.
    await Deno.writeTextFile(`${dir}/1.metrics.jsonl`, '{"step":0,"loss":1}\n{"step":1,"lo');
    await writePlots(`${dir}/1.metrics.jsonl`, `${dir}/plots/a.csv`);
    assert.equal(await Deno.readTextFile(`${dir}/plots/a.csv`), "step,loss\n0,1\n");
    await writePlots(`${dir}/none.jsonl`, `${dir}/plots/b.csv`);
    await assert.rejects(() => Deno.stat(`${dir}/plots/b.csv`), Deno.errors.NotFound);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
