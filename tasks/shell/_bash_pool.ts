/**
 * Runs shell stages in long-lived bash "servers", one per stage running at
 * once. Each stage is a fork of a server (a subshell running the script):
 * on this project's machines starting a process costs milliseconds of CPU and
 * blocks the starting thread, and a fork skips most of it (bash's exec and
 * start-up). Kept until {@link closeBashPool} (the task's `dispose`).
 *
 * A server reads jobs on stdin (NUL-separated: nonce, cwd, name, kind, body)
 * and writes one stream on stdout: `<nonce> pid <pid>`, then the stage's
 * output (stdout and stderr), then `\n<nonce> exit <code>`. The script
 * cannot forge a marker: the nonce is unset before it runs. One stream per
 * server keeps a trivial stage to one write and usually one read.
 */
import { killTree } from "./_kill_tree.ts";
import { LogSink } from "./_log_sink.ts";

/**
 * What to run in `cwd`: a script's text (run under `name`, which bash's
 * messages show as in `name: line 2: ...`) or a file to source (large
 * scripts: bash reads a pipe a byte at a time, a file in blocks).
 */
export interface BashJob {
  script: { text: string; name: string } | { file: string };
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

// Jobs come on fd 3, so a script's stdin is /dev/null and it cannot read
// later jobs (the subshell closes fd 3). The server changes directory only
// when a job's differs: one call fewer in each fork. It is one line because
// bash numbers an eval'd script's lines from the line of the `eval`: so a
// script's line 2 is reported as `with.run: line 2: ...`.
const READ = (name: string) => `IFS= read -u 3 -r -d '' ${name}`;
const SERVER = [
  "exec 3<&0 0</dev/null 2>&1; ",
  `while ${
    ["__dl_nonce", "__dl_cwd", "__dl_name", "__dl_kind", "__dl_body"].map(READ).join(" && ")
  }; do `,
  'if [[ $__dl_cwd == "$PWD" ]] || cd -- "$__dl_cwd"; then ( ',
  'printf \'%s pid %s\\n\' "$__dl_nonce" "$BASHPID"; unset __dl_nonce; exec 3<&-; set -eo pipefail; ',
  'if [[ $__dl_kind == file ]]; then source "$__dl_body"; else BASH_ARGV0=$__dl_name; eval "$__dl_body"; fi ',
  "); else (exit 127); fi; ",
  'printf \'\\n%s exit %s\\n\' "$__dl_nonce" "$?"; ',
  "done",
].join("");

const encoder = new TextEncoder();
const NEWLINE = 10;

interface Job {
  nonce: string;
  /** `\n<nonce> exit `: what ends the job's output. */
  endMarker: Uint8Array;
  log: LogSink;
  pid?: number;
  /** Set when the stage is stopped before its pid arrived: it is killed on arrival. */
  stopped?: boolean;
  /** The SIGKILL that follows a SIGTERM the script has not obeyed in time. */
  killTimer?: ReturnType<typeof setTimeout>;
  /** Bytes not yet handled: a partial marker line, held back. */
  held: Uint8Array;
  resolve(outcome: BashOutcome): void;
}

class BashServer {
  readonly child: Deno.ChildProcess;
  #writer: WritableStreamDefaultWriter<Uint8Array>;
  job: Job | undefined;

  constructor() {
    this.child = new Deno.Command("bash", {
      args: ["-c", SERVER],
      stdin: "piped",
      stdout: "piped",
      stderr: "null",
    }).spawn();
    this.#writer = this.child.stdin.getWriter();
    this.#read();
  }

  send(job: BashJob, entry: Job): Promise<void> {
    this.job = entry;
    const [name, kind, body] = "file" in job.script
      ? ["", "file", job.script.file]
      : [job.script.name, "text", job.script.text];
    const fields = [entry.nonce, job.cwd, name, kind, body].map((f) => `${f}\0`).join("");
    return this.#writer.write(encoder.encode(fields));
  }

  close(): void {
    this.#writer.close().catch(() => {});
  }

  async #read(): Promise<void> {
    const reader = this.child.stdout.getReader();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      const job = this.job;
      // Output between jobs (a background process of an earlier script) belongs to no stage.
      if (job) this.#take(job, value);
    }
    const status = await this.child.status;
    this.#fail(status.signal ? 128 + signalNumber(status.signal) : 1);
  }

  #take(job: Job, chunk: Uint8Array): void {
    let bytes = concat(job.held, chunk);
    if (job.pid === undefined) {
      const nl = bytes.indexOf(NEWLINE);
      if (nl < 0) return void (job.held = bytes);
      const [nonce, kind, pid] = new TextDecoder().decode(bytes.subarray(0, nl)).split(" ");
      if (nonce === job.nonce && kind === "pid") {
        job.pid = Number(pid);
        if (job.stopped) terminate(job, job.pid);
        bytes = bytes.subarray(nl + 1);
      }
    }
    const at = indexOf(bytes, job.endMarker);
    if (at < 0) {
      // Keep back what could be the start of the end marker.
      const keep = Math.min(bytes.length, job.endMarker.length - 1);
      job.log.write(bytes.subarray(0, bytes.length - keep));
      job.held = bytes.slice(bytes.length - keep);
      return;
    }
    const codeStart = at + job.endMarker.length;
    const nl = bytes.indexOf(NEWLINE, codeStart);
    if (nl < 0) return void (job.held = bytes);
    job.log.write(bytes.subarray(0, at));
    this.#settle(job, Number(new TextDecoder().decode(bytes.subarray(codeStart, nl))));
  }

  #settle(job: Job, code: number): void {
    clearTimeout(job.killTimer);
    this.job = undefined;
    job.log.close();
    job.resolve({
      success: code === 0,
      code,
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
    clearTimeout(job.killTimer);
    job.log.write(job.held);
    job.log.write(encoder.encode(`(the bash server running the stage exited)\n`));
    job.log.close();
    job.resolve({ success: false, code, tail: job.log.tail(5) });
  }
}

const all: BashServer[] = [];
const idle: BashServer[] = [];

function signalNumber(name: Deno.Signal): number {
  return ({ SIGINT: 2, SIGKILL: 9, SIGTERM: 15, SIGHUP: 1 } as Record<string, number>)[name] ?? 15;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b;
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

function indexOf(haystack: Uint8Array, needle: Uint8Array): number {
  const first = needle[0]!;
  for (let i = haystack.indexOf(first); i >= 0; i = haystack.indexOf(first, i + 1)) {
    if (i + needle.length > haystack.length) return -1;
    let j = 1;
    while (j < needle.length && haystack[i + j] === needle[j]) j++;
    if (j === needle.length) return i;
  }
  return -1;
}

/**
 * Runs `job` in a bash server; `signal` stops the script and the programs it started.
 *
 * @example
 * ```ts
 * const outcome = await runOnWorker({ script: { text, name: "with.run" }, cwd, logPath }, ctx.signal);
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
    if (job.pid !== undefined) terminate(job, job.pid);
  };
  signal.addEventListener("abort", stop, { once: true });
  return new Promise<BashOutcome>((resolve) => {
    const nonce = crypto.randomUUID().slice(0, 18); // 64 random bits
    const entry: Job = {
      nonce,
      endMarker: encoder.encode(`\n${nonce} exit `),
      log: new LogSink(job.logPath),
      held: new Uint8Array(0),
      resolve,
    };
    chosen.send(job, entry).catch(() => {});
  }).finally(() => signal.removeEventListener("abort", stop));
}

/** How long a stopped script has between SIGTERM and SIGKILL (as `docker stop` gives). */
export const STOP_GRACE_MS = 10_000;

/**
 * Asks the script and everything it started to stop, and makes sure they do:
 * a script that ignores SIGTERM would otherwise hold the run until it ended.
 */
function terminate(job: Job, pid: number): void {
  killTree(pid, "SIGTERM");
  job.killTimer ??= setTimeout(() => killTree(pid, "SIGKILL"), STOP_GRACE_MS);
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
