/**
 * How sizes and durations read everywhere: in the terminal, in the dashboard
 * and in the notes and logs of tasks. Pure functions, no dependencies.
 *
 * @example
 * ```ts
 * import { formatBytes, formatDuration } from "@dropline/format";
 *
 * formatBytes(1536); // "1.5 KiB"
 * formatDuration(245_000); // "4 min 5 s"
 * ```
 *
 * @module
 */
export { formatBytes } from "./format_bytes.ts";
export { formatDuration } from "./format_duration.ts";
