/**
 * `deno task bench dashboard`: server time of the dashboard's pages and API
 * on a journal holding a 1,000-stage run (a leave-one-domain-out sweep: 4
 * domains x 4 dropout rates x 3 learning rates x 10 seeds of fine-tuning and
 * evaluation, with soups and a report), five earlier runs of it, and training
 * metrics for every fine-tuning stage. Also a 1,000-stage run whose stages do
 * not group (the worst case for the drawing). The run page shows the sweep
 * table of its 1,000 expansions (4 matrix axes); also timed: the table
 * filtered and sorted, its JSON, and the compare page of two such runs.
 *
 * Usage: deno task bench dashboard [--repeat N]
 */
import {
  createApp,
  fakeTrainingMetrics,
  FixtureJournal,
  type FixtureStage,
} from "@dropline/dashboard";
import { parseFlags, type StageState } from "@dropline/engine";

const DOMAINS = ["art", "cartoon", "photo", "sketch"];
const DROPOUTS = [0, 0.5, 0.9, 0.95];
const LRS = [0.001, 0.003, 0.01];
const SEEDS = Array.from({ length: 10 }, (_, i) => i);

function cross<T>(...lists: T[][]): T[][] {
  return lists.reduce<T[][]>((acc, list) => acc.flatMap((a) => list.map((x) => [...a, x])), [[]]);
}

/** The sweep's stages in topological order, with states as if 60% through. */
function sweepStages(): FixtureStage[] {
  const stages: FixtureStage[] = [{ id: "prepare", state: "cached" }];
  for (const d of DOMAINS) {
    stages.push({
      id: `extract[domain=${d}]`,
      name: "extract",
      matrix: { domain: d },
      needs: ["prepare"],
      state: "cached",
    });
  }
  const combos = cross<string | number>(DOMAINS, DROPOUTS, LRS, SEEDS);
  const id = (name: string, c: Array<string | number>) =>
    `${name}[test=${c[0]},dropout=${c[1]},lr=${c[2]},seed=${c[3]}]`;
  const matrix = (c: Array<string | number>) => ({
    test: c[0],
    dropout: c[1],
    lr: c[2],
    seed: c[3],
  });
  const state = (
    i: number,
  ): StageState => (i < 250 ? "succeeded" : i < 290 ? "running" : "pending");
  combos.forEach((c, i) =>
    stages.push({
      id: id("finetune", c),
      name: "finetune",
      task: "finetune",
      matrix: matrix(c),
      needs: [`extract[domain=${c[0]}]`],
      state: state(i),
      startedAt: i < 290 ? Date.now() - 60_000 : null,
      endedAt: i < 250 ? Date.now() - 1_000 : null,
    })
  );
  combos.forEach((c, i) =>
    stages.push({
      id: id("evaluate", c),
      name: "evaluate",
      matrix: matrix(c),
      needs: [id("finetune", c)],
      state: i < 240 ? "succeeded" : "pending",
    })
  );
  for (const [d, p, method] of cross<string | number>(DOMAINS, DROPOUTS, ["uniform", "greedy"])) {
    const needs = combos.filter((c) => c[0] === d && c[1] === p).map((c) => id("evaluate", c));
    stages.push({
      id: `soup[test=${d},dropout=${p},method=${method}]`,
      name: "soup",
      matrix: { test: d, dropout: p, method },
      needs,
    });
  }
  stages.push({ id: "ensemble", needs: combos.map((c) => id("evaluate", c)) });
  stages.push({
    id: "report",
    task: "report",
    needs: stages.filter((s) => (s.name ?? s.id) === "soup").map((s) => s.id),
  });
  stages.push({ id: "summary", needs: ["report", "ensemble"] });
  return stages;
}

/** 1,000 stages that each form their own group: a binary tree of plain stages. */
function ungroupedStages(): FixtureStage[] {
  return Array.from({ length: 1000 }, (_, i) => ({
    id: `step_${i}`,
    needs: i ? [`step_${Math.floor((i - 1) / 2)}`] : [],
    state: i < 500 ? "succeeded" as const : "pending" as const,
  }));
}

/** Writes the benchmark's journal into `cacheDir`. */
export function writeBenchJournal(
  cacheDir: string,
): { run: string; ungrouped: string; stage: string; stages: number } {
  const journal = new FixtureJournal(cacheDir);
  const stages = sweepStages();
  for (let r = 0; r < 5; r++) {
    journal.addRun(
      { id: `20261101T00000${r}Z-old${r}`, pipeline: "pacs", state: "succeeded" },
      stages,
    );
  }
  const run = "20261123T120000Z-bench";
  journal.addRun({ id: run, pipeline: "pacs" }, stages);
  const metrics = fakeTrainingMetrics(200);
  for (const stage of stages.filter((s) => s.name === "finetune")) {
    journal.addMetrics(run, stage.id, metrics);
  }
  const stage = stages.find((s) => s.name === "finetune")!.id;
  journal.addMetrics(
    run,
    stage,
    fakeTrainingMetrics(5000).map((r) => ({ ...r, step: r.step! + 200 })),
  );
  for (const s of stages.slice(0, 1000)) journal.setState(run, s.id, s.state ?? "pending");
  const ungrouped = "20261123T130000Z-flat";
  journal.addRun({ id: ungrouped, pipeline: "flat" }, ungroupedStages());
  journal.close();
  return { run, ungrouped, stage, stages: stages.length };
}

async function time(app: ReturnType<typeof createApp>, path: string, repeat: number) {
  const samples: number[] = [];
  let bytes = 0;
  for (let i = 0; i < repeat; i++) {
    const started = performance.now();
    const response = await app.request(path);
    const body = await response.arrayBuffer();
    samples.push(performance.now() - started);
    if (response.status !== 200) throw new Error(`${path} answered ${response.status}`);
    bytes = body.byteLength;
  }
  const sorted = [...samples].sort((a, b) => a - b);
  const round = (ms: number) => Math.round(ms * 10) / 10;
  return {
    firstMs: round(samples[0]!),
    medianMs: round(sorted[Math.floor(sorted.length / 2)]!),
    maxMs: round(sorted[sorted.length - 1]!),
    kib: Math.round(bytes / 1024),
  };
}

/** Runs the benchmark and returns its figures. */
export default async function bench(args: string[]): Promise<unknown> {
  const { values } = parseFlags(args, { repeat: { type: "string", default: "15" } }, {
    positionals: false,
  });
  const repeat = Number(values.repeat);
  const cacheDir = await Deno.makeTempDir({ prefix: "dropline-bench-dashboard-" });
  try {
    const setupStarted = performance.now();
    const fixture = writeBenchJournal(cacheDir);
    const setupMs = Math.round(performance.now() - setupStarted);
    const app = createApp({ cacheDir });
    const run = `/runs/${fixture.run}`;
    const stage = `${run}/stages/${encodeURIComponent(fixture.stage)}`;
    const figures = {
      runPage: await time(app, run, repeat),
      runPageAllExpanded: await time(app, `${run}?expand=*`, repeat),
      runPageUngrouped: await time(app, `/runs/${fixture.ungrouped}`, repeat),
      runPageSweepFiltered: await time(app, `${run}?f.test=art&sort=m:seed&order=desc`, repeat),
      apiSweep: await time(app, `/api${run}/sweep`, repeat),
      compare: await time(app, `/compare?a=20261101T000004Z-old4&b=${fixture.run}`, repeat),
      stagePage: await time(app, stage, repeat),
      runsPage: await time(app, "/", repeat),
      apiRun: await time(app, `/api${run}`, repeat),
      apiStage: await time(app, `/api${stage}`, repeat),
      apiRuns: await time(app, "/api/runs", repeat),
    };
    // What a browser receives: the page gzipped (the timings above are of uncompressed bodies).
    const zipped = await app.request(run, { headers: { "Accept-Encoding": "gzip" } });
    const runPageGzipKib = Math.round((await zipped.arrayBuffer()).byteLength / 1024);
    return {
      runPageGzipKib,
      journal: {
        stagesPerRun: fixture.stages,
        runs: 7,
        metricRowsPerFinetune: 200 * 5,
        metricRowsBenchStage: 5200 * 5,
        setupMs,
      },
      repeat,
      ...figures,
      target: {
        runPageUnder1s: figures.runPage.maxMs < 1000 && figures.runPageUngrouped.maxMs < 1000,
      },
    };
  } finally {
    await Deno.remove(cacheDir, { recursive: true });
  }
}
