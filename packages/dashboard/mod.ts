/**
 * The read-only web dashboard (Hono): runs, the live DAG, stage pages, logs, metrics and reports,
 * read from a cache directory's journal and store.
 *
 * @module
 */
export { fakeTrainingMetrics, FixtureJournal } from "./_fixture.ts";
export type { FixtureStage } from "./_fixture.ts";
export { createApp } from "./app.ts";
