import { Hono } from "hono";
import { readSweep, type RunRecord } from "@dropline/engine";
import { renderComparePage } from "./compare_page.ts";
import { diffRuns } from "./run_diff.ts";
import type { DashboardContext } from "./_context.ts";
import { STALE_AFTER_MS } from "./_context.ts";
import { loadHeadline, loadSweepSection } from "./_sweep.ts";
import { renderChartBlock } from "./sweep_table.ts";
import { loadRun, loadStage, loadStageDetails, reportStages } from "./_load.ts";
import { flagQuery } from "./_query.ts";
import { HttpError } from "./http_error.ts";
import { readLogChunk } from "./log_tail.ts";
import { renderMarkdown } from "./markdown.ts";
import { chartMetrics, flatZeroMetrics } from "./metrics_charts.ts";
import { listOutputFiles } from "./outputs.ts";
import { renderReportPage } from "./report_page.ts";
import { renderRunPage } from "./run_page.ts";
import { renderRunsPage } from "./runs_page.ts";
import { fileHref } from "./safe_path.ts";
import { renderStagePage } from "./stage_page.ts";

const RUNS_PER_PAGE = 100;

/** Resolves a path relative to an output directory to its file route, refusing `..`. */
function outputLink(cacheDir: string, outPath: string, relative: string): string | null {
  const parts = relative.split("/");
  if (parts.some((part) => part === ".." || part === "." || part === "")) return null;
  return fileHref(cacheDir, `${outPath}/${relative}`);
}

/**
 * The HTML pages: runs, a run, a stage and a report.
 *
 * @example
 * ```ts
 * app.route("/", pageRoutes(ctx));
 * ```
 */
export function pageRoutes(ctx: DashboardContext): Hono {
  const pages = new Hono();

  pages.get("/", (c) => {
    const before = c.req.query("before");
    const noop = flagQuery(c.req.query("noop"), "noop");
    const runs = ctx.journal.listRuns({
      limit: RUNS_PER_PAGE + 1,
      noop,
      ...(before ? { before } : {}),
    });
    const shown = runs.slice(0, RUNS_PER_PAGE);
    const last = shown[shown.length - 1];
    const query = (extra: Record<string, string>) =>
      `/?${new URLSearchParams({ ...(noop ? { noop: "1" } : {}), ...extra })}`;
    return c.html(
      renderRunsPage({
        runs: shown.map((run, i) => ({
          run,
          counts: ctx.journal.countStates(run.id),
          previous: shown.slice(i + 1).find((older) => older.pipeline === run.pipeline)?.id ?? null,
        })),
        cacheDir: ctx.cacheDir,
        now: ctx.now(),
        staleAfterMs: STALE_AFTER_MS,
        olderHref: runs.length > RUNS_PER_PAGE && last ? query({ before: last.id }) : null,
        noop: noop ? { shown: true, toggleHref: "/" } : {
          shown: false,
          hidden: ctx.journal.countNoopRuns(),
          toggleHref: "/?noop=1",
        },
      }),
    );
  });

  pages.get("/runs/:run", async (c) => {
    const run = loadRun(ctx, c.req.param("run"));
    // Read the event position first: any change after it is replayed live.
    const lastEventId = ctx.journal.lastEventId(run.id);
    const stages = ctx.journal.listStages(run.id);
    const search = new URL(c.req.url).searchParams;
    const sweep = await loadSweepSection(ctx, run.id, search, stages);
    const expand = (c.req.query("expand") ?? "").split(",").filter((name) => name !== "");
    return c.html(
      renderRunPage({
        run,
        stages,
        counts: ctx.journal.countStates(run.id),
        expanded: new Set(expand),
        lastEventId,
        reports: reportStages(stages),
        sweep,
        now: ctx.now(),
        staleAfterMs: STALE_AFTER_MS,
      }),
    );
  });

  pages.get("/compare", async (c) => {
    const [a, b] = ["a", "b"].map((name) => {
      const id = c.req.query(name);
      if (!id) throw new HttpError(400, `Query parameter "${name}" must name a run`);
      return loadRun(ctx, id);
    }) as [RunRecord, RunRecord];
    const [rowsA, rowsB] = await Promise.all(
      [a, b].map((run) => readSweep(ctx.journal, run.id, { tasks: ctx.tasks })),
    );
    return c.html(renderComparePage({ a, b, diff: diffRuns(rowsA!, rowsB!) }));
  });

  pages.get("/runs/:run/sweep/chart", async (c) => {
    const run = loadRun(ctx, c.req.param("run"));
    const sweep = await loadSweepSection(ctx, run.id, new URL(c.req.url).searchParams);
    if (!sweep) throw new HttpError(404, `Run "${run.id}" has no sweep`);
    return c.html(renderChartBlock(sweep));
  });

  pages.get("/runs/:run/stages/:stage", async (c) => {
    const run = loadRun(ctx, c.req.param("run"));
    const stage = loadStage(ctx, run.id, c.req.param("stage"));
    const details = await loadStageDetails(ctx, run, stage);
    const outPath = stage.outPath;
    return c.html(
      renderStagePage({
        run,
        stage,
        ...details,
        outputHref: (path) => outPath ? outputLink(ctx.cacheDir, outPath, path) : null,
        logHref: stage.logPath ? fileHref(ctx.cacheDir, stage.logPath) : null,
        log: await readLogChunk(stage.logPath),
        charts: chartMetrics(details.metrics),
        flatMetrics: flatZeroMetrics(details.metrics),
        headline: await loadHeadline(ctx, stage),
        now: ctx.now(),
      }),
    );
  });

  pages.get("/runs/:run/stages/:stage/report", async (c) => {
    const run = loadRun(ctx, c.req.param("run"));
    const stage = loadStage(ctx, run.id, c.req.param("stage"));
    const outPath = stage.outPath;
    let source: string;
    try {
      source = outPath ? await Deno.readTextFile(`${outPath}/report.md`) : "";
    } catch {
      source = "";
    }
    if (!outPath || source === "") {
      throw new HttpError(404, `Stage "${stage.id}" has no report`);
    }
    const embedded = new Set<string>();
    const markdown = renderMarkdown(source, (relative) => {
      embedded.add(relative.replace(/^\.\//, ""));
      return outputLink(ctx.cacheDir, outPath, relative.replace(/^\.\//, ""));
    });
    const { files } = await listOutputFiles(outPath);
    const plots = files
      .filter((file) => file.path.endsWith(".svg") && !embedded.has(file.path))
      .flatMap((file) => {
        const href = outputLink(ctx.cacheDir, outPath, file.path);
        return href ? [{ name: file.path, href }] : [];
      });
    return c.html(renderReportPage({ runId: run.id, stageId: stage.id, markdown, plots }));
  });

  return pages;
}
