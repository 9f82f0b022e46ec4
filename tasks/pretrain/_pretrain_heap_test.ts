import assert from "node:assert/strict";
import { TaskError } from "@dropline/task";
import { pretrainHeapExhausted } from "./_pretrain_heap.ts";

Deno.test("pretrainHeapExhausted() names batch_size and a smaller value when the wasm heap runs out", () => {
  const error = pretrainHeapExhausted(
    new WebAssembly.RuntimeError("memory access out of bounds"),
    { backend: "wasm", batchSize: 100000, domains: 2 },
  );
  assert.ok(error instanceof TaskError);
  assert.match(error.message, /4 GB heap ran out during a forward\/backward pass of 200000 images/);
  assert.match(error.message, /Set `batch_size` lower \(e\.g\. 50000;/);
  assert.doesNotMatch(error.message, /micro_batch/, "pretrain has no micro_batch");
});

Deno.test("pretrainHeapExhausted() leaves other errors and other backends alone", () => {
  const run = { backend: "wasm", batchSize: 64, domains: 2 };
  assert.equal(pretrainHeapExhausted(new TypeError("x is undefined"), run), undefined);
  assert.equal(
    pretrainHeapExhausted(new Error("memory access out of bounds"), { ...run, backend: "webgpu" }),
    undefined,
  );
});
