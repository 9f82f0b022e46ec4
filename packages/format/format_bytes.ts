/** Byte counts in binary units, as `du -h` and the dashboard show them. */

const UNITS = ["B", "KiB", "MiB", "GiB", "TiB"];

/**
 * A byte count in the largest binary unit that keeps it at least 1, with one
 * decimal above bytes.
 *
 * @example
 * ```ts
 * formatBytes(512); // "512 B"
 * formatBytes(1536); // "1.5 KiB"
 * formatBytes(3.2 * 2 ** 20); // "3.2 MiB"
 * ```
 */
export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${Math.round(value)} B` : `${value.toFixed(1)} ${UNITS[unit]}`;
}
