import assert from "node:assert/strict";
import { join } from "node:path";
import { UsageError } from "@dropline/engine/run";
import { runCommand } from "./run_command.ts";

Deno.test("runCommand() refuses an empty --retries as it refuses an empty --jobs", async () => {
  for (const flag of ["--retries", "--jobs"]) {
    await assert.rejects(
      () => runCommand(["p.yaml", flag, "", "--dry-run"]),
      (error: Error) => error instanceof UsageError && error.message.startsWith(`${flag} expects`),
    );
  }
  await assert.rejects(() => runCommand(["p.yaml", "--retries", " "]), UsageError);
});

Deno.test("runCommand() exits 1 naming the pipeline's `executor` when Slurm cannot be reached", async () => {
  const dir = await Deno.makeTempDir({ prefix: "run_command_" });
  const path = Deno.env.get("PATH") ?? "";
  const errors: string[] = [];
  const error = console.error;
  try {
    // A controller that does not answer, as sinfo reports it.
    await Deno.writeTextFile(
      join(dir, "sinfo"),
      "#!/bin/sh\necho 'slurm_load_partitions: Unable to contact slurm controller (connect failure)' >&2\nexit 1\n",
      { mode: 0o755 },
    );
    await Deno.writeTextFile(
      join(dir, "p.yaml"),
      "name: p\nexecutor: slurm\nstages:\n  a:\n    task: shell\n    with: { run: 'true' }\n",
    );
    Deno.env.set("PATH", `${dir}:${path}`);
    console.error = (message: string) => errors.push(message);
    const code = await runCommand([join(dir, "p.yaml"), "--cache-dir", join(dir, "cache")]);
    assert.equal(code, 1);
    assert.match(
      errors.join("\n"),
      /^Cannot use Slurm \(chosen by the pipeline's `executor`\): cannot reach the Slurm controller: slurm_load_partitions: Unable to contact slurm controller \(connect failure\)/,
    );
  } finally {
    console.error = error;
    Deno.env.set("PATH", path);
    await Deno.remove(dir, { recursive: true });
  }
});
