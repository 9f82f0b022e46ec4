/**
 * Signals a process and all its descendants (Linux: reads /proc), so stopping
 * a shell stage also stops the programs it started.
 */

/**
 * Sends `signal` to `pid` and every descendant, children first found.
 *
 * @example
 * ```ts
 * killTree(child.pid, "SIGTERM");
 * ```
 */
export function killTree(pid: number, signal: Deno.Signal): void {
  for (const target of [pid, ...descendantsOf(pid)]) {
    try {
      Deno.kill(target, signal);
    } catch {
      // Already exited.
    }
  }
}

/** Pids of every descendant of `pid`, from /proc (empty where /proc is absent). */
export function descendantsOf(pid: number): number[] {
  const children = new Map<number, number[]>();
  try {
    for (const entry of Deno.readDirSync("/proc")) {
      if (!/^\d+$/.test(entry.name)) continue;
      const parent = parentOf(Number(entry.name));
      if (parent !== undefined) {
        children.set(parent, [...children.get(parent) ?? [], Number(entry.name)]);
      }
    }
  } catch {
    return [];
  }
  const found: number[] = [];
  const stack = [pid];
  while (stack.length > 0) {
    for (const child of children.get(stack.pop()!) ?? []) {
      found.push(child);
      stack.push(child);
    }
  }
  return found;
}

function parentOf(pid: number): number | undefined {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    // The command name may contain spaces and parentheses: fields follow the last ")".
    return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
  } catch {
    return undefined;
  }
}
