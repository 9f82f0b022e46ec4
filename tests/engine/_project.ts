/**
 * Integration-test helpers: a temporary project directory holding fixture
 * pipelines, a cache directory, and the `dropline` CLI run as a user runs it
 * (a separate Deno process).
 *
 * @example
 * ```ts
 * await using project = await tempProject({ "p.yaml": await fixture("counting.yaml") });
 * const result = await project.run("run", "p.yaml");
 * assert.equal(result.code, 0);
 * ```
 * @module
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { JournalReader } from "@dropline/engine";

/** Absolute path of the CLI entry point. */
export const MAIN = fileURLToPath(new URL("../../packages/cli/main.ts", import.meta.url));

/** What a finished CLI process printed and returned. */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** A temporary project: pipelines in `dir`, the cache in `cache`. */
export interface Project extends AsyncDisposable {
  dir: string;
  cache: string;
  /** Runs `dropline <args> --cache-dir <cache>` in `dir` and waits for it. */
  run(...args: string[]): Promise<CliResult>;
  /** Starts the same command without waiting (stdout and stderr piped). */
  spawn(...args: string[]): Deno.ChildProcess;
  /** Lines of a text file in `dir` (empty when it does not exist). */
  lines(name: string): Promise<string[]>;
  /** The journal's reader (read-only). */
  journal(): JournalReader;
}

/** Text of a file in tests/engine/fixtures. */
export function fixture(name: string): Promise<string> {
  return Deno.readTextFile(new URL(`./fixtures/${name}`, import.meta.url));
}

/**
 * Creates a project with `files` (name to text) and a not-yet-created cache dir.
 */
export async function tempProject(files: Record<string, string>): Promise<Project> {
  const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "dropline_" }));
  for (const [name, text] of Object.entries(files)) await Deno.writeTextFile(join(dir, name), text);
  const cache = join(dir, "cache");
  const command = (args: string[]) =>
    new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "--quiet", MAIN, ...args, "--cache-dir", cache],
      cwd: dir,
      env: { NO_COLOR: "1" },
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    });
  return {
    dir,
    cache,
    run: async (...args) => {
      const out = await command(args).output();
      const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
      return { code: out.code, stdout: decode(out.stdout), stderr: decode(out.stderr) };
    },
    spawn: (...args) => command(args).spawn(),
    lines: async (name) => {
      try {
        return (await Deno.readTextFile(join(dir, name))).split("\n").filter((l) => l !== "");
      } catch (error) {
        if (error instanceof Deno.errors.NotFound) return [];
        throw error;
      }
    },
    journal: () => new JournalReader(cache),
    [Symbol.asyncDispose]: async () => {
      // Published files are read-only; removal needs only the directories.
      await Deno.remove(dir, { recursive: true });
    },
  };
}

/** Collects a spawned CLI's exit code and output. */
export async function finish(child: Deno.ChildProcess): Promise<CliResult> {
  const out = await child.output();
  const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
  return { code: out.code, stdout: decode(out.stdout), stderr: decode(out.stderr) };
}

/**
 * Resolves once `path` exists; rejects after `timeoutMs` or when `child`
 * exits first (so a broken run fails the test instead of hanging it).
 */
export async function waitForFile(
  path: string,
  options: { timeoutMs?: number; child?: Deno.ChildProcess } = {},
): Promise<void> {
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  let exited = false;
  options.child?.status.then(() => exited = true);
  while (true) {
    try {
      await Deno.stat(path);
      return;
    } catch {
      if (exited) throw new Error(`The process exited before "${path}" appeared`);
      if (Date.now() > deadline) throw new Error(`Timed out waiting for "${path}"`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}

/** Pids of `pid` and all its descendants (Linux /proc), parents first. */
export function processTree(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    try {
      const stat = Deno.readTextFileSync(`/proc/${entry.name}/stat`);
      const parent = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      children.set(parent, [...(children.get(parent) ?? []), Number(entry.name)]);
    } catch {
      // Exited while listing.
    }
  }
  const tree = [pid];
  for (let i = 0; i < tree.length; i++) tree.push(...(children.get(tree[i]!) ?? []));
  return tree;
}

/** SIGKILLs a process and every descendant, as a crash or `kill -9` of the tree would. */
export function killTree(pid: number): number[] {
  const tree = processTree(pid);
  for (const target of tree) {
    try {
      Deno.kill(target, "SIGKILL");
    } catch {
      // Already gone.
    }
  }
  return tree;
}
