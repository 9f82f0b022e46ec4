/**
 * Server-sent events for one run: tails the journal's `events` table by id
 * (the runner appends a row per state change) and ends once the run is over.
 */
import type { Context } from "hono";
import { streamSSE } from "hono/streaming";
import type { DashboardContext } from "./_context.ts";

const BATCH = 500;
const KEEPALIVE_MS = 15_000;

/**
 * Streams the run's events with an id above `afterId`: `stage` events
 * (`{id, stage, state, at}`), `run` events for run-level changes, and a final
 * `end` event (`{state}`) once the run has finished and every event was sent.
 *
 * @example
 * ```ts
 * api.get("/runs/:run/events", (c) => streamRunEvents(c, ctx, c.req.param("run"), 0));
 * ```
 */
export function streamRunEvents(
  c: Context,
  ctx: DashboardContext,
  runId: string,
  afterId: number,
): Response {
  return streamSSE(c, async (stream) => {
    let last = afterId;
    let quietSince = ctx.now();
    while (!stream.aborted) {
      // The run's state is read before its events: an event written before the
      // run ended is then always sent before `end`.
      const finished = (ctx.journal.getRun(runId)?.state ?? "running") !== "running";
      const events = ctx.journal.eventsAfter(runId, last, BATCH);
      for (const event of events) {
        await stream.writeSSE({
          id: String(event.id),
          event: event.stageId === null ? "run" : "stage",
          data: JSON.stringify({
            id: event.id,
            stage: event.stageId,
            state: event.state,
            at: event.at,
            ...(event.reason === null ? {} : { reason: event.reason }),
          }),
        });
        last = event.id;
      }
      if (events.length === BATCH) continue;
      if (finished) {
        const state = ctx.journal.getRun(runId)?.state ?? "unknown";
        await stream.writeSSE({ event: "end", data: JSON.stringify({ state }) });
        break;
      }
      if (events.length > 0) quietSince = ctx.now();
      else if (ctx.now() - quietSince > KEEPALIVE_MS) {
        await stream.write(": keepalive\n\n");
        quietSince = ctx.now();
      }
      await stream.sleep(ctx.pollMs);
    }
  });
}
