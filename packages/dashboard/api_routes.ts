import { Hono } from "hono";
import type { DashboardContext } from "./_context.ts";
import { loadRun, loadStage, loadStageDetails, reportStages } from "./_load.ts";
import { loadSweepRows } from "./_sweep.ts";
import { streamRunEvents } from "./events_stream.ts";
import { flagQuery, intQuery } from "./_query.ts";
import { readLogChunk } from "./log_tail.ts";
import { chartMetrics } from "./metrics_charts.ts";
import { fileHref } from "./safe_path.ts";
import { stageHref } from "./_format.ts";

/**
 * The JSON API (mounted under `/api`): runs, a run with its stages, its sweep
 * rows, a stage with details, a log chunk, and the run's live events (SSE).
 *
 * @example
 * ```ts
 * app.route("/api", apiRoutes(ctx));
 * ```
 */
export function apiRoutes(ctx: DashboardContext): Hono {
  const api = new Hono();

  api.get("/runs", (c) => {
    const limit = Math.min(intQuery(c.req.query("limit"), "limit", 100), 1000);
    const before = c.req.query("before");
    const noop = flagQuery(c.req.query("noop"), "noop");
    const runs = ctx.journal.listRuns({ limit, noop, ...(before ? { before } : {}) });
    return c.json({
      runs: runs.map((run) => ({ ...run, counts: ctx.journal.countStates(run.id) })),
      hiddenNoopRuns: noop ? 0 : ctx.journal.countNoopRuns(),
    });
  });

  api.get("/runs/:run", (c) => {
    const run = loadRun(ctx, c.req.param("run"));
    const lastEventId = ctx.journal.lastEventId(run.id);
    const stages = ctx.journal.listStages(run.id);
    return c.json({
      run,
      counts: ctx.journal.countStates(run.id),
      lastEventId,
      reports: reportStages(stages).map((id) => `${stageHref(run.id, id)}/report`),
      stages,
    });
  });

  api.get("/runs/:run/sweep", async (c) => {
    const run = loadRun(ctx, c.req.param("run"));
    return c.json({ rows: await loadSweepRows(ctx, run.id) });
  });

  api.get("/runs/:run/stages/:stage", async (c) => {
    const run = loadRun(ctx, c.req.param("run"));
    const stage = loadStage(ctx, run.id, c.req.param("stage"));
    const details = await loadStageDetails(ctx, run, stage);
    const outPath = stage.outPath;
    return c.json({
      stage,
      history: details.history.map((a) => ({
        runId: a.runId,
        state: a.state,
        reason: a.reason,
        key: a.key,
        startedAt: a.startedAt,
        endedAt: a.endedAt,
        error: a.error,
      })),
      downstream: details.downstream,
      outputs: details.outputs.files.map((file) => ({
        ...file,
        href: outPath ? fileHref(ctx.cacheDir, `${outPath}/${file.path}`) : null,
      })),
      outputsTruncated: details.outputs.truncated,
      log: stage.logPath ? fileHref(ctx.cacheDir, stage.logPath) : null,
      report: details.hasReport ? `${stageHref(run.id, stage.id)}/report` : null,
      metrics: details.metrics,
      charts: chartMetrics(details.metrics),
    });
  });

  api.get("/runs/:run/stages/:stage/log", async (c) => {
    const stage = loadStage(ctx, c.req.param("run"), c.req.param("stage"));
    const from = c.req.query("from");
    const chunk = await readLogChunk(
      stage.logPath,
      from === undefined ? undefined : intQuery(from, "from", 0),
    );
    return c.json({ ...chunk, state: stage.state });
  });

  api.get("/runs/:run/events", (c) => {
    const run = loadRun(ctx, c.req.param("run"));
    // HEAD gets the headers only: a stream nobody reads would poll until the run ends.
    if (c.req.method === "HEAD") return c.body(null, 200, { "Content-Type": "text/event-stream" });
    // A reconnecting EventSource repeats the URL and says where it got to in Last-Event-ID.
    const after = Math.max(
      intQuery(c.req.query("after"), "after", 0),
      intQuery(c.req.header("Last-Event-ID"), "Last-Event-ID", 0),
    );
    return streamRunEvents(c, ctx, run.id, after);
  });

  return api;
}
