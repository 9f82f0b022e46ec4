/**
 * A cache with two runs of a dropout sweep for the sweep table, chart and
 * compare tests: `train[method,dropout,seed]` stages whose published
 * `summary.json` holds test and validation accuracy, read through a headline
 * declaration like the finetune task's. The second run changes the soup
 * method's learning rate: those six stages re-run, the others are reused.
 */
import { CacheLayout, type HeadlineSource } from "@dropline/engine";
import { numberAt } from "@dropline/task";
import { FixtureJournal, type FixtureStage } from "./_fixture.ts";

/** Ids of the fixture's runs. */
export const SWEEP = { a: "20261201T100000Z-aaaaaa", b: "20261201T110000Z-bbbbbb" } as const;

/** Tasks as the dashboard sees them: `train` declares its headline metrics. */
export const SWEEP_TASKS: HeadlineSource = new Map([
  ["train", {
    headline: {
      file: "summary.json",
      read: (summary: unknown) => ({
        val_acc: numberAt(summary, "val_acc"),
        test_acc: numberAt(summary, "test_acc"),
      }),
    },
  }],
]);

/** Test accuracy of an expansion (soup better, dropout 0.5 best, a seed's wobble). */
export function accuracy(method: string, dropout: number, seed: number, lr: number): number {
  const base = method === "soup" ? 0.8 : 0.7;
  return Number((base - Math.abs(dropout - 0.5) / 10 + seed / 100 + (lr - 0.01)).toFixed(4));
}

function stages(cacheDir: string, soupLr: number, reran: boolean): FixtureStage[] {
  const objects = new CacheLayout(cacheDir).dir("objects");
  const out: FixtureStage[] = [{
    id: "data",
    task: "shell",
    state: reran ? "cached" : "succeeded",
  }];
  for (const method of ["erm", "soup"]) {
    for (const dropout of [0, 0.5, 0.9]) {
      for (const seed of [0, 1]) {
        const id = `train[method=${method},dropout=${dropout},seed=${seed}]`;
        const lr = method === "soup" ? soupLr : 0.01;
        const dir = `${objects}/${method}-${dropout}-${seed}-${lr}`;
        Deno.mkdirSync(dir, { recursive: true });
        const test = accuracy(method, dropout, seed, lr);
        Deno.writeTextFileSync(
          `${dir}/summary.json`,
          JSON.stringify({ val_acc: test + 0.1, test_acc: test }),
        );
        const again = reran && method === "soup";
        out.push({
          id,
          name: "train",
          task: "train",
          needs: ["data"],
          matrix: { method, dropout, seed },
          params: { method, dropout, seed, lr, steps: 100 },
          state: !reran || again ? "succeeded" : "cached",
          reason: again ? 'param "lr" changed: 0.01 -> 0.02' : "no result for this key",
          key: `${id}-${lr}`.padEnd(16, "k"),
          outPath: dir,
          startedAt: 1000,
          endedAt: 1000 + 100 * (seed + 1),
        });
      }
    }
  }
  return out;
}

/** Writes both runs; returns the cache directory. */
export function writeSweepCache(cacheDir: string): string {
  const journal = new FixtureJournal(cacheDir);
  const t0 = Date.UTC(2026, 11, 1, 10);
  journal.addRun(
    { id: SWEEP.a, pipeline: "sweep", state: "succeeded", startedAt: t0, endedAt: t0 + 60_000 },
    stages(cacheDir, 0.01, false),
  );
  journal.addRun(
    {
      id: SWEEP.b,
      pipeline: "sweep",
      state: "succeeded",
      startedAt: t0 + 3_600_000,
      endedAt: t0 + 3_660_000,
    },
    stages(cacheDir, 0.02, true),
  );
  journal.close();
  return cacheDir;
}
