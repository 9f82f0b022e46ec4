import assert from "node:assert/strict";
import { UsageError } from "@dropline/engine";
import { parseCommandArgs, positiveInt } from "./args.ts";

Deno.test("parseCommandArgs() suggests the close flag for a typo", () => {
  assert.throws(
    () => parseCommandArgs(["--jbos", "2"], { jobs: { type: "string" } }, "run"),
    (error: unknown) =>
      error instanceof UsageError &&
      error.message === `run: Unknown option "--jbos" (did you mean "--jobs"?)`,
  );
});

Deno.test("positiveInt() rejects zero and fractions", () => {
  assert.equal(positiveInt("--jobs", "4"), 4);
  assert.throws(() => positiveInt("--jobs", "0"), /--jobs expects a positive integer, got "0"/);
  assert.throws(() => positiveInt("--jobs", "1.5"), UsageError);
});
