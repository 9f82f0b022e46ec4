import assert from "node:assert/strict";
import { TaskError } from "@dropline/task";
import { allocationFailed } from "./_allocation_failed.ts";

Deno.test("allocationFailed() names `size` and the bytes per image for a failed buffer allocation", () => {
  const raw = new RangeError("Array buffer allocation failed");
  const error = allocationFailed(raw, [4096, 2048, 3]);
  assert.ok(error instanceof TaskError);
  assert.equal(
    error.message,
    "Cannot allocate memory for 4096x2048x3 images (`size` [4096, 2048]): each needs " +
      "25,165,824 bytes and a few are held at once; set a smaller `size` or free memory",
  );
  assert.equal(error.cause, raw);
});

Deno.test("allocationFailed() leaves other errors alone", () => {
  const shape = [8, 8, 3] as const;
  assert.equal(
    allocationFailed(new RangeError("Label index 5 is outside [0, 2)"), shape),
    undefined,
  );
  assert.equal(allocationFailed(new Error("Array buffer allocation failed"), shape), undefined);
  assert.equal(allocationFailed("Array buffer allocation failed", shape), undefined);
});
