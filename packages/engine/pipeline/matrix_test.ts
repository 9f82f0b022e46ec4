import assert from "node:assert/strict";
import { expandMatrix, expansionId, matches } from "./matrix.ts";

Deno.test("expandMatrix() varies the first axis slowest", () => {
  assert.deepEqual(expandMatrix({ seed: [0, 1], rate: [0.5, 0.9] }, [], []), [
    { seed: 0, rate: 0.5 },
    { seed: 0, rate: 0.9 },
    { seed: 1, rate: 0.5 },
    { seed: 1, rate: 0.9 },
  ]);
});

Deno.test("expandMatrix() drops excluded combinations, partial patterns included", () => {
  const axes = { seed: [0, 1, 2], rate: [0.5, 0.9] };
  assert.deepEqual(expandMatrix(axes, [{ seed: 2, rate: 0.9 }, { seed: 0 }], []), [
    { seed: 1, rate: 0.5 },
    { seed: 1, rate: 0.9 },
    { seed: 2, rate: 0.5 },
  ]);
});

Deno.test("expandMatrix() appends includes after the product", () => {
  assert.deepEqual(expandMatrix({ seed: [0] }, [], [{ seed: 9 }]), [{ seed: 0 }, { seed: 9 }]);
});

Deno.test("expandMatrix() compares structured values by content", () => {
  const axes = { opt: [{ lr: 1 }, { lr: 2 }] };
  assert.deepEqual(expandMatrix(axes, [{ opt: { lr: 1 } }], []), [{ opt: { lr: 2 } }]);
});

Deno.test("expansionId() is readable and in axis order", () => {
  assert.equal(expansionId("sweep", { seed: 0, rate: 0.5 }), "sweep[seed=0,rate=0.5]");
  assert.equal(expansionId("ft", { domain: "S", on: true }), "ft[domain=S,on=true]");
  assert.equal(expansionId("make", {}), "make");
});

Deno.test("matches() needs every pattern key to agree", () => {
  assert.equal(matches({ a: 1, b: 2 }, { a: 1 }), true);
  assert.equal(matches({ a: 1, b: 2 }, { a: 1, b: 3 }), false);
  assert.equal(matches({ a: 1 }, { c: 1 }), false);
});
