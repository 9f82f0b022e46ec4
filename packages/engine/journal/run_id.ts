/**
 * A new run id that sorts in start order: `20261123T175300.123Z-1a2b3c`.
 * Milliseconds matter: "the latest run" is found by id, and two runs often
 * start within one second.
 *
 * @example
 * ```ts
 * newRunId(new Date("2026-11-23T17:53:00.123Z")); // "20261123T175300.123Z-" + 6 hex digits
 * ```
 */
export function newRunId(now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, "");
  return `${stamp}-${crypto.randomUUID().slice(0, 6)}`;
}
