import assert from "node:assert/strict";
import { TaskError } from "@dropline/task";
import { heapExhausted } from "./_heap_exhausted.ts";

const run = { backend: "wasm+openblas", batchSize: 32, domains: 3 };

Deno.test("heapExhausted() names micro_batch when the wasm heap runs out", () => {
  const error = heapExhausted(new WebAssembly.RuntimeError("memory access out of bounds"), {
    ...run,
    microBatch: 16,
  });
  assert.ok(error instanceof TaskError);
  assert.match(error.message, /4 GB heap ran out during a forward\/backward pass of 16 images/);
  assert.match(error.message, /`micro_batch` lower \(e\.g\. 8/);
  const whole = heapExhausted(
    new RangeError("WebAssembly.Memory.grow(): Maximum memory size exceeded"),
    run,
  );
  assert.match(whole!.message, /pass of 96 images/);
});

Deno.test("heapExhausted() leaves other errors and other backends alone", () => {
  assert.equal(heapExhausted(new TypeError("x is undefined"), run), undefined);
  assert.equal(
    heapExhausted(new Error("memory access out of bounds"), { ...run, backend: "webgpu" }),
    undefined,
  );
});
