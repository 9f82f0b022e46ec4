import assert from "node:assert/strict";
import { join } from "node:path";
import { CommandSlurmClient, SlurmCommandError } from "./slurm_client.ts";

Deno.test("CommandSlurmClient says so when a failing command printed nothing", async () => {
  const dir = await Deno.makeTempDir({ prefix: "slurm_client_" });
  const path = Deno.env.get("PATH") ?? "";
  try {
    // As squeue does when the Ctrl-C meant for the run reaches it too.
    await Deno.writeTextFile(join(dir, "squeue"), "#!/bin/sh\nexit 130\n", { mode: 0o755 });
    Deno.env.set("PATH", `${dir}:${path}`);
    await assert.rejects(
      () => new CommandSlurmClient().squeue(["dropline.r1"]),
      (error: Error) =>
        error instanceof SlurmCommandError &&
        error.message === "squeue failed (exit 130): no message",
    );
  } finally {
    Deno.env.set("PATH", path);
    await Deno.remove(dir, { recursive: true });
  }
});
