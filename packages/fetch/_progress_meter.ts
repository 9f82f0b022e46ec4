/** Progress of a transfer: bytes done, total when known, rate and time left. */
export interface TransferProgress {
  done: number;
  total?: number;
  /** Bytes per second since the transfer (re)started. */
  rate: number;
  /** Seconds left at the current rate, when the total is known. */
  eta?: number;
}

/** Reports progress at most every `intervalMs`, plus once at the end. */
export function progressMeter(
  onProgress: ((p: TransferProgress) => void) | undefined,
  startedAt: number,
  intervalMs = 250,
): { update(done: number, total?: number, force?: boolean): void } {
  let last = 0;
  let base: number | undefined;
  return {
    update(done, total, force = false) {
      const now = performance.now();
      if (!onProgress || (!force && now - last < intervalMs)) return;
      last = now;
      base ??= done; // bytes already there when this transfer started do not count towards the rate
      const seconds = Math.max((now - startedAt) / 1000, 1e-3);
      const rate = (done - base) / seconds;
      const p: TransferProgress = { done, rate };
      if (total !== undefined) {
        p.total = total;
        if (rate > 0) p.eta = Math.max(0, (total - done) / rate);
      }
      onProgress(p);
    },
  };
}
