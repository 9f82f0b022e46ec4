/**
 * Per-key locks, so two runs on one cache never execute the same stage key at
 * once. A lock is a file created exclusively; its holder refreshes its mtime
 * (the heartbeat). A lock whose holder is dead - same host and the pid is gone,
 * or no heartbeat for `staleAfterMs` - is taken over.
 */

/** Who holds a lock. */
export interface LockHolder {
  pid: number;
  host: string;
  runId: string;
}

/** A held lock. */
export interface StageLock {
  path: string;
  /** Refreshes the heartbeat. */
  touch(): void;
  release(): void;
}

/** How long without a heartbeat before another host's lock counts as dead. */
export const DEFAULT_STALE_AFTER_MS = 60_000;

/**
 * Whether a lock's holder is dead. Pure.
 *
 * @example
 * ```ts
 * isStale({ pid: 1, host: "a", runId: "r" }, { heartbeatAgeMs: 5, thisHost: "a", pidAlive: () => false, staleAfterMs: 60_000 }); // true
 * ```
 */
export function isStale(
  holder: LockHolder | undefined,
  facts: {
    heartbeatAgeMs: number;
    thisHost: string;
    pidAlive: (pid: number) => boolean;
    staleAfterMs: number;
  },
): boolean {
  if (facts.heartbeatAgeMs > facts.staleAfterMs) return true;
  if (!holder) return facts.heartbeatAgeMs > 5_000; // unreadable: a holder that died mid-write
  return holder.host === facts.thisHost && !facts.pidAlive(holder.pid);
}

/**
 * Takes the lock at `path`, waiting while a live holder has it.
 * Returns undefined when `signal` aborts first.
 *
 * @example
 * ```ts
 * const lock = await acquireLock("cache/locks/abcd.lock", { pid: Deno.pid, host: Deno.hostname(), runId });
 * try { ... } finally { lock?.release(); }
 * ```
 */
export async function acquireLock(
  path: string,
  holder: LockHolder,
  options: {
    signal?: AbortSignal;
    staleAfterMs?: number;
    pollMs?: number;
    onWait?: (by: LockHolder | undefined) => void;
  } = {},
): Promise<StageLock | undefined> {
  let waited = false;
  while (!options.signal?.aborted) {
    if (tryCreate(path, holder)) return heldLock(path);
    const current = readHolder(path);
    if (current === "gone") continue;
    const stale = isStale(current.holder, {
      heartbeatAgeMs: Date.now() - current.mtime,
      thisHost: Deno.hostname(),
      pidAlive,
      staleAfterMs: options.staleAfterMs ?? DEFAULT_STALE_AFTER_MS,
    });
    if (stale) {
      breakLock(path, current.text);
      continue;
    }
    if (!waited) options.onWait?.(current.holder);
    waited = true;
    await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 100));
  }
  return undefined;
}

function tryCreate(path: string, holder: LockHolder): boolean {
  try {
    const file = Deno.openSync(path, { write: true, createNew: true });
    file.writeSync(new TextEncoder().encode(JSON.stringify(holder)));
    file.close();
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.AlreadyExists) return false;
    throw error;
  }
}

interface LockFile {
  holder: LockHolder | undefined;
  text: string;
  mtime: number;
}

function readHolder(path: string): LockFile | "gone" {
  try {
    const mtime = Deno.statSync(path).mtime?.getTime() ?? 0;
    const text = Deno.readTextFileSync(path);
    try {
      return { holder: JSON.parse(text) as LockHolder, text, mtime };
    } catch {
      return { holder: undefined, text, mtime };
    }
  } catch {
    return "gone";
  }
}

/**
 * Moves a dead holder's lock aside; when two runs race for it, one rename
 * wins. Re-reading first keeps a run from breaking a lock that another run
 * has just taken over.
 */
function breakLock(path: string, judged: string): void {
  const tomb = `${path}.stale-${Deno.pid}-${crypto.randomUUID()}`;
  try {
    if (Deno.readTextFileSync(path) !== judged) return;
    Deno.renameSync(path, tomb);
    Deno.removeSync(tomb);
  } catch {
    // Another run broke it first.
  }
}

function heldLock(path: string): StageLock {
  return {
    path,
    touch: () => {
      try {
        const now = new Date();
        Deno.utimeSync(path, now, now);
      } catch {
        // Released concurrently.
      }
    },
    release: () => {
      try {
        Deno.removeSync(path);
      } catch {
        // Already gone.
      }
    },
  };
}

/**
 * Whether a process with this pid exists on this host: kill(2) with signal 0
 * checks without sending anything (Deno passes a numeric signal through,
 * though its type names only signal names). EPERM means it exists.
 */
export function pidAlive(pid: number): boolean {
  try {
    Deno.kill(pid, 0 as unknown as Deno.Signal);
    return true;
  } catch (error) {
    return error instanceof Deno.errors.PermissionDenied;
  }
}
