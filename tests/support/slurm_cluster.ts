/**
 * The one-node Slurm cluster the Slurm tests run on (scripts/slurm_local.sh).
 *
 * A test module calls {@link localCluster} once. It first takes an exclusive
 * lock (`/tmp/dropline-slurm-tests.lock`) held until its process exits: the
 * machine has one cluster, and test runs of several people would otherwise
 * see each other's jobs, or stop the cluster under each other. A cluster that
 * is already up (started by `.ci/run`, or reachable through `SLURM_CONF`) is
 * used as it is; otherwise it is started here and stopped when the module's
 * process exits.
 * A cluster that cannot start fails the tests. The only way to skip them is
 * `DROPLINE_SLURM_TESTS=skip` outside CI (where `CI` is unset), for machines
 * without Slurm or root.
 */
import { fileURLToPath } from "node:url";

const SCRIPT = fileURLToPath(new URL("../../scripts/slurm_local.sh", import.meta.url));
const LOCK = "/tmp/dropline-slurm-tests.lock";
/** The lock file, open (and locked) until the process exits. */
let held: Deno.FsFile | undefined;

/** Whether the Slurm tests run, and why not. */
export type Cluster = { ready: true } | { ready: false; why: string };

/**
 * Makes `SLURM_CONF` point at a running cluster, starting one when needed.
 *
 * @example
 * ```ts
 * const cluster = await localCluster();
 * Deno.test({ name: "...", ignore: !cluster.ready, fn: async () => {} });
 * ```
 */
export async function localCluster(): Promise<Cluster> {
  if (Deno.env.get("DROPLINE_SLURM_TESTS") === "skip" && !Deno.env.get("CI")) {
    return { ready: false, why: "DROPLINE_SLURM_TESTS=skip" };
  }
  held ??= await Deno.open(LOCK, { create: true, write: true });
  await held.lock(true);
  if (Deno.env.get("SLURM_CONF") && (await command("sinfo", ["-h"])).ok) return { ready: true };
  const status = await command(SCRIPT, ["status"]);
  const running = status.ok ? exportedConf(status.stdout) : undefined;
  if (running) {
    Deno.env.set("SLURM_CONF", running);
    return { ready: true };
  }
  const started = await command(SCRIPT, ["start"]);
  const conf = exportedConf(started.stdout);
  if (!started.ok || !conf) {
    throw new Error(
      `Cannot start the local Slurm cluster (set DROPLINE_SLURM_TESTS=skip outside CI to skip ` +
        `the Slurm tests):\n${started.stderr}`,
    );
  }
  Deno.env.set("SLURM_CONF", conf);
  // Started here, so stopped here: no daemons are left behind.
  addEventListener("unload", () => {
    new Deno.Command(SCRIPT, { args: ["stop"], stdout: "null", stderr: "null" }).outputSync();
  });
  return { ready: true };
}

/**
 * Ids, states and nodes of the cluster's jobs (all states) named `name`.
 *
 * @example
 * ```ts
 * await jobsNamed("dropline.20261202T052205.241Z-4f1f5d");
 * // [{ id: "12", state: "COMPLETED", node: "localhost" }]
 * ```
 */
export async function jobsNamed(
  name: string,
): Promise<{ id: string; state: string; node: string }[]> {
  const out = await command("squeue", ["-h", "-t", "all", `--name=${name}`, "-o", "%i|%T|%N"]);
  if (!out.ok) throw new Error(`squeue failed: ${out.stderr}`);
  return out.stdout.split("\n").filter((l) => l !== "").map((line) => {
    const [id = "", state = "", node = ""] = line.split("|");
    return { id, state, node };
  });
}

/** Runs a command; its output as text. */
export async function command(
  name: string,
  args: string[],
): Promise<{ ok: boolean; stdout: string; stderr: string }> {
  const out = await new Deno.Command(name, { args, stdin: "null" }).output().catch((error) => {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw error;
  });
  if (!out) return { ok: false, stdout: "", stderr: `${name}: not found` };
  const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
  return { ok: out.success, stdout: decode(out.stdout), stderr: decode(out.stderr) };
}

function exportedConf(stdout: string): string | undefined {
  return /^export SLURM_CONF=(\S+)$/m.exec(stdout)?.[1];
}
