import assert from "node:assert/strict";
import { domainAccuracy, summarizeAccuracy } from "./domain_accuracy.ts";

Deno.test("domainAccuracy() counts each domain and split apart", () => {
  const rows = {
    labels: new Int32Array([0, 1, 1, 0, 1, 1]),
    domains: new Int32Array([0, 0, 0, 1, 1, 1]),
    split: new Uint8Array([0, 0, 1, 0, 1, 1]),
  };
  const acc = domainAccuracy(new Int32Array([0, 0, 1, 0, 0, 1]), rows, ["a", "b"]);
  assert.deepEqual(acc.a, { in: 0.5, out: 1, all: 2 / 3, n_in: 2, n_out: 1 });
  assert.deepEqual(acc.b, { in: 1, out: 0.5, all: 2 / 3, n_in: 1, n_out: 2 });
  assert.deepEqual(summarizeAccuracy(acc, ["a"], ["b"]), { iid: 1, ood: 1 });
  assert.deepEqual(summarizeAccuracy(acc, ["a", "b"], []), { iid: 0.75, ood: null });
});
