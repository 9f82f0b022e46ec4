import assert from "node:assert/strict";
import { Prng } from "../prng.ts";
import { domainPools, sampleBatch } from "./sampler.ts";
import { selectBest } from "../evaluation/select_best.ts";

Deno.test("sampleBatch() draws B in-split rows from each domain in turn", () => {
  const domains = new Int32Array([0, 0, 1, 1, 2, 2, 0, 1]);
  const split = new Uint8Array([0, 1, 0, 0, 0, 0, 0, 1]);
  const pools = domainPools(domains, split, [0, 1]);
  assert.deepEqual(pools.map((p) => Array.from(p)), [[0, 6], [2, 3]]);
  const batch = sampleBatch(pools, 50, Prng.fromSeed(1));
  assert.equal(batch.length, 100);
  assert.ok(Array.from(batch.slice(0, 50)).every((i) => i === 0 || i === 6));
  assert.ok(Array.from(batch.slice(50)).every((i) => i === 2 || i === 3));
  assert.equal(new Set(batch.slice(0, 50)).size, 2, "sampled with replacement from both rows");
});

Deno.test("sampleBatch() refuses an empty domain", () => {
  assert.throws(() => sampleBatch([new Int32Array(0)], 2, Prng.fromSeed(0)), RangeError);
});

Deno.test("selectBest() picks the highest score, earliest on ties", () => {
  const records = [{ v: 0.5 }, { v: 0.9 }, { v: 0.7 }, { v: 0.9 }];
  assert.equal(selectBest(records, (r) => r.v), 1);
  assert.equal(selectBest([], () => 0), -1);
});
