import assert from "node:assert/strict";
import { holdoutCount, splitInOut } from "./split.ts";

const domains = Int32Array.from(
  { length: 100 + 37 + 2 },
  (_, i) => (i < 100 ? 0 : i < 137 ? 1 : 2),
);

function outOf(split: Uint8Array, domain: number): number[] {
  return [...split.keys()].filter((i) => domains[i] === domain && split[i] === 1);
}

Deno.test("splitInOut() holds out the fraction of each domain, at least one of two", () => {
  const split = splitInOut(domains, { holdoutFraction: 0.2, seed: 0 });
  assert.equal(outOf(split, 0).length, 20);
  assert.equal(outOf(split, 1).length, 7);
  assert.equal(outOf(split, 2).length, 1);
  assert.equal(holdoutCount(1, 0.2), 0);
  assert.equal(holdoutCount(10, 0), 0);
});

Deno.test("splitInOut() is deterministic for a seed and changes with it", () => {
  const a = splitInOut(domains, { seed: 5 });
  assert.deepEqual(a, splitInOut(domains, { seed: 5 }));
  assert.notDeepEqual(outOf(a, 0), outOf(splitInOut(domains, { seed: 6 }), 0));
});

Deno.test("splitInOut() picks a domain's held-out examples independently of other domains", () => {
  const alone = splitInOut(domains.subarray(0, 100), { seed: 1 });
  const together = splitInOut(domains, { seed: 1 });
  assert.deepEqual(outOf(alone, 0), outOf(together, 0));
});

Deno.test("splitInOut() rejects a holdout fraction outside [0, 1)", () => {
  assert.throws(
    () => splitInOut(domains, { holdoutFraction: 1 }),
    /Holdout fraction must be in \[0, 1\), got 1/,
  );
});
