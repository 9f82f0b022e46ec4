/**
 * The process's peak resident memory (`VmHWM` in `/proc/self/status`), in
 * bytes; null where the kernel does not report it (not Linux).
 *
 * @example
 * ```ts
 * const peak = peakRssBytes(); // e.g. 1_234_567_168
 * ```
 */
export function peakRssBytes(): number | null {
  try {
    const status = Deno.readTextFileSync("/proc/self/status");
    const kb = /^VmHWM:\s+(\d+)\s+kB$/m.exec(status)?.[1];
    return kb === undefined ? null : Number(kb) * 1024;
  } catch {
    return null;
  }
}
