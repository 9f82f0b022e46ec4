import assert from "node:assert/strict";
import { chooseExecutor } from "./executor_choice.ts";

Deno.test("chooseExecutor() prefers the flag, then the environment, then the pipeline file", () => {
  const file = { executor: "slurm" as const };
  assert.deepEqual(chooseExecutor("local", file, { DROPLINE_EXECUTOR: "slurm" }), {
    name: "local",
    from: "--executor",
  });
  assert.deepEqual(chooseExecutor(undefined, {}, { DROPLINE_EXECUTOR: "slurm" }), {
    name: "slurm",
    from: "DROPLINE_EXECUTOR",
  });
  assert.deepEqual(chooseExecutor(undefined, file, {}), {
    name: "slurm",
    from: "the pipeline's `executor`",
  });
  assert.deepEqual(chooseExecutor(undefined, {}, {}), { name: "local", from: "default" });
});

Deno.test("chooseExecutor() says where an unknown executor came from", () => {
  assert.throws(
    () => chooseExecutor("slrum", {}, {}),
    /^UsageError: --executor names an unknown executor "slrum" \(did you mean "slurm"\?\); expected one of local, slurm$/,
  );
  assert.throws(
    () => chooseExecutor(undefined, {}, { DROPLINE_EXECUTOR: "pbs" }),
    /^UsageError: DROPLINE_EXECUTOR names an unknown executor "pbs"; expected one of local, slurm$/,
  );
});
