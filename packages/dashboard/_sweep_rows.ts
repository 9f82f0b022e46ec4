/** Sweep rows for tests: a small method x dropout x seed grid with test accuracies. */
import type { SweepRow } from "@dropline/engine";

/** One row; unspecified fields get plausible values. */
export function sweepRow(
  stage: string,
  matrix: Record<string, unknown>,
  extra: Partial<SweepRow> = {},
): SweepRow {
  return {
    stage,
    name: stage.replace(/\[.*$/, ""),
    task: "finetune",
    matrix,
    params: { lr: 0.01, ...matrix },
    metrics: {},
    state: "succeeded",
    reason: "no result for this key",
    durationMs: 1000,
    producedBy: "r1",
    outPath: null,
    metricsError: null,
    ...extra,
  };
}

/** `train[method=M,dropout=D,seed=S]` for 2 methods x 3 rates x 2 seeds, accuracy falling with D. */
export function gridRows(): SweepRow[] {
  const rows: SweepRow[] = [];
  for (const method of ["erm", "soup"]) {
    for (const dropout of [0, 0.5, 0.9]) {
      for (const seed of [0, 1]) {
        const test = (method === "soup" ? 0.8 : 0.7) - dropout / 10 + seed / 100;
        rows.push(
          sweepRow(`train[method=${method},dropout=${dropout},seed=${seed}]`, {
            method,
            dropout,
            seed,
          }, { metrics: { val_acc: test + 0.1, test_acc: test }, durationMs: 1000 + seed }),
        );
      }
    }
  }
  return rows;
}
