import assert from "node:assert/strict";
import { flattenParams, varyingParams } from "./varying_params.ts";

Deno.test("flattenParams() turns nested objects into dotted keys and keeps arrays", () => {
  assert.deepEqual(flattenParams({ lr: 0.1, decay: { at: [400], factor: 0.1 }, x: null }), {
    lr: 0.1,
    "decay.at": [400],
    "decay.factor": 0.1,
    x: null,
  });
});

Deno.test("varyingParams() keeps what tells rows apart beyond the matrix", () => {
  const rows = [
    {
      matrix: { seed: 0, test_domain: "A" },
      params: {
        seed: 0,
        test_domains: ["A"],
        lr: 0.1,
        steps: 10,
        decay: { at: [1] },
        features: "<out:f[test_domain=A]>",
      },
    },
    {
      matrix: { seed: 1, test_domain: "B" },
      params: {
        seed: 1,
        test_domains: ["B"],
        lr: 0.2,
        steps: 10,
        decay: { at: [2] },
        features: "<out:f[test_domain=B]>",
      },
    },
  ];
  assert.deepEqual(varyingParams(rows), ["lr", "decay.at"]);
  assert.deepEqual(varyingParams(rows.slice(0, 1)), []);
  // A parameter missing from some rows differs from one that is present.
  assert.deepEqual(varyingParams([{ matrix: {}, params: { a: 1 } }, { matrix: {}, params: {} }]), [
    "a",
  ]);
});
