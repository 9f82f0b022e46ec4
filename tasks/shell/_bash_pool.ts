/**
 * Runs shell stages in long-lived bash "servers", one per stage running at
 * once. Each stage is a fork of a server (a subshell sourcing the script):
 * on this project's machines starting a process costs milliseconds of CPU and
 * blocks the starting thread, and a fork skips most of it (bash's exec and
 * start-up). Kept until {@link closeBashPool} (the task's `dispose`).
 *
 * A server reads jobs on stdin (NUL-separated: id, nonce, script, cwd) and
 * reports on stdout (`pid <id> <pid>`, `exit <id> <code>`). The stage's
 * output (stdout and stderr) comes on the server's stderr, ended by a line
 * holding the job's nonce, which the script cannot read (it is unset first).
 */
/** What to run: the script file (its first line sets the environment) in `cwd`. */
export interface BashJob {
  script: string;
  cwd: string;
  logPath: string;
}

/** How it ended. */
export interface BashOutcome {
  success: boolean;
  /** The exit code; 128 + N when killed by signal N (143: SIGTERM, 130: SIGINT). */
  code: number;
  /** The last lines of output, formatted for a failure message. */
  tail: string;
  /** Why the log stopped being written, if it did. */
  logFailure?: string;
}

import { killTree } from "./_kill_tree.ts";
import { LogSink } from "./_log_sink.ts";

const SERVER = `
while IFS= read -r -d '' __dl_id && IFS= read -r -d '' __dl_nonce &&
  IFS= read -r -d '' __dl_script && IFS= read -r -d '' __dl_cwd; do
  (
    printf 'pid %s %s\\n' "$__dl_id" "$BASHPID"
    unset __dl_nonce
    exec 1>&2 </dev/null
    cd -- "$__dl_cwd" || exit 127
    set -eo pipefail
    source "$__dl_script"
  )
  __dl_code=$?
  printf '\\n%s\\n' "$__dl_nonce" >&2
  printf 'exit %s %s\\n' "$__dl_id" "$__dl_code"
done`;

interface Job {
  nonce: string;
  log: LogSink;
  pid?: number;
  /** Set when the stage is stopped before its pid arrived: it is killed on arrival. */
  stopped?: boolean;
  code?: number;
  outputDone: boolean;
  /** Output not yet written to the log, held back while it may be part of the nonce line. */
  held: Uint8Array;
  resolve(outcome: BashOutcome): void;
}

class BashServer {
  readonly child: Deno.ChildProcess;
  #writer: WritableStreamDefaultWriter<Uint8Array>;
  job: (Job & { id: number }) | undefined;

  constructor() {
    this.child = new Deno.Command("bash", {
      args: ["-c", SERVER],
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    this.#writer = this.child.stdin.getWriter();
    this.#readControl();
    this.#readOutput();
  }

  send(id: number, job: BashJob, entry: Job): Promise<void> {
    this.job = { ...entry, id };
    const fields = [String(id), entry.nonce, job.script, job.cwd].map((f) => `${f}\0`).join("");
    return this.#writer.write(new TextEncoder().encode(fields));
  }

  close(): void {
    this.#writer.close().catch(() => {});
  }

  async #readControl(): Promise<void> {
    let buffer = "";
    for await (const chunk of this.child.stdout.pipeThrough(new TextDecoderStream())) {
      buffer += chunk;
      for (let nl = buffer.indexOf("\n"); nl >= 0; nl = buffer.indexOf("\n")) {
        const [kind, id, value] = buffer.slice(0, nl).split(" ");
        buffer = buffer.slice(nl + 1);
        const job = this.job;
        if (!job || String(job.id) !== id) continue;
        if (kind === "pid") {
          job.pid = Number(value);
          if (job.stopped) killTree(job.pid, "SIGTERM");
        } else if (kind === "exit") {
          job.code = Number(value);
          this.#settle();
        }
      }
    }
    const status = await this.child.status;
    this.#fail(status.signal ? 128 + signalNumber(status.signal) : 1);
  }

  async #readOutput(): Promise<void> {
    for await (const chunk of this.child.stderr) {
      const job = this.job;
      if (!job || job.outputDone) continue;
      const bytes = new Uint8Array(job.held.length + chunk.length);
      bytes.set(job.held);
      bytes.set(chunk, job.held.length);
      const end = new TextEncoder().encode(`\n${job.nonce}\n`);
      const at = indexOf(bytes, end);
      if (at >= 0) {
        job.log.write(bytes.subarray(0, at));
        job.held = new Uint8Array(0);
        job.outputDone = true;
        this.#settle();
      } else {
        // Keep back what could be the start of the end marker.
        const keep = Math.min(bytes.length, end.length - 1);
        job.log.write(bytes.subarray(0, bytes.length - keep));
        job.held = bytes.slice(bytes.length - keep);
      }
    }
  }

  #settle(): void {
    const job = this.job;
    if (!job || !job.outputDone || job.code === undefined) return;
    this.job = undefined;
    job.log.close();
    job.resolve({
      success: job.code === 0,
      code: job.code,
      tail: job.log.tail(5),
      ...(job.log.failure ? { logFailure: job.log.failure } : {}),
    });
    idle.push(this);
  }

  #fail(code: number): void {
    const job = this.job;
    this.job = undefined;
    const at = all.indexOf(this);
    if (at >= 0) all.splice(at, 1);
    const i = idle.indexOf(this);
    if (i >= 0) idle.splice(i, 1);
    if (!job) return;
    job.log.write(new TextEncoder().encode(`(the bash server running the stage exited)\n`));
    job.log.close();
    job.resolve({ success: false, code, tail: job.log.tail(5) });
  }
}

const all: BashServer[] = [];
const idle: BashServer[] = [];
let nextId = 0;

function signalNumber(name: Deno.Signal): number {
  return ({ SIGINT: 2, SIGKILL: 9, SIGTERM: 15, SIGHUP: 1 } as Record<string, number>)[name] ?? 15;
}

function indexOf(haystack: Uint8Array, needle: Uint8Array): number {
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

/**
 * Runs `job` in a bash server; `signal` stops the script and the programs it started.
 *
 * @example
 * ```ts
 * const outcome = await runOnWorker({ script, env, cwd, logPath }, ctx.signal);
 * ```
 */
export function runOnWorker(job: BashJob, signal: AbortSignal): Promise<BashOutcome> {
  let server = idle.pop();
  if (!server) {
    server = new BashServer();
    all.push(server);
  }
  const chosen = server;
  const stop = () => {
    const job = chosen.job;
    if (!job) return;
    job.stopped = true;
    if (job.pid !== undefined) killTree(job.pid, "SIGTERM");
  };
  signal.addEventListener("abort", stop, { once: true });
  return new Promise<BashOutcome>((resolve) => {
    const entry: Job = {
      nonce: crypto.randomUUID(),
      log: new LogSink(job.logPath),
      outputDone: false,
      held: new Uint8Array(0),
      resolve,
    };
    chosen.send(nextId++, job, entry).catch(() => {});
  }).finally(() => signal.removeEventListener("abort", stop));
}

/** Stops every server (their loops end when stdin closes) and waits until they have exited. */
export async function closeBashPool(): Promise<void> {
  const servers = all.splice(0);
  idle.length = 0;
  // Wait for them to go, so no bash outlives the run that started it (a
  // server still busy with a stopped stage gets a second, harder signal).
  await Promise.all(servers.map(async (server) => {
    server.close();
    const timer = setTimeout(() => killTree(server.child.pid, "SIGKILL"), 2_000);
    await server.child.status;
    clearTimeout(timer);
  }));
}
