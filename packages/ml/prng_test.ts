import assert from "node:assert/strict";
import { Prng } from "./prng.ts";

Deno.test("Prng.fromState() continues the stream exactly", () => {
  const a = Prng.fromSeed(7);
  for (let i = 0; i < 100; i++) a.next();
  const b = Prng.fromState(a.state());
  for (let i = 0; i < 100; i++) assert.equal(b.nextUint32(), a.nextUint32());
});

Deno.test("Prng.fromSeed() gives different streams for nearby seeds", () => {
  const a = Prng.fromSeed(0), b = Prng.fromSeed(1);
  const same = Array.from({ length: 50 }, () => a.nextUint32() === b.nextUint32()).filter(Boolean);
  assert.equal(same.length, 0);
});

Deno.test("Prng.next() is roughly uniform", () => {
  const rng = Prng.fromSeed(3);
  const bins = new Array(10).fill(0);
  for (let i = 0; i < 100_000; i++) bins[Math.floor(rng.next() * 10)]++;
  for (const count of bins) assert.ok(Math.abs(count - 10_000) < 500, `bin count ${count}`);
});

Deno.test("Prng.fromState() rejects a malformed state", () => {
  assert.throws(() => Prng.fromState([1, 2, 3]), RangeError);
});

Deno.test("Prng.fillUint32() gives the same stream as nextUint32()", () => {
  const a = Prng.fromSeed(11), b = Prng.fromSeed(11);
  const bulk = a.fillUint32(new Uint32Array(1000));
  for (const value of bulk) assert.equal(value, b.nextUint32());
  assert.equal(a.nextUint32(), b.nextUint32());
});

Deno.test("Prng.fromParts() repeats its sequence for the same parts and differs otherwise", () => {
  const take = (...seed: (number | string)[]) => {
    const rng = Prng.fromParts(...seed);
    return Array.from({ length: 5 }, () => rng.next());
  };
  assert.deepEqual(take(1, 23), take(1, 23));
  assert.notDeepEqual(take(1, 23), take(12, 3));
  assert.notDeepEqual(take(1), take("1"));
});

Deno.test("Prng.bernoulli() is true at the given rate", () => {
  const rng = Prng.fromParts(7);
  let heads = 0;
  const n = 20_000;
  for (let i = 0; i < n; i++) if (rng.bernoulli(0.25)) heads++;
  assert.ok(Math.abs(heads / n - 0.25) < 0.01, `rate ${heads / n}`);
});

Deno.test("Prng.shuffle() permutes every element", () => {
  const items = Array.from({ length: 100 }, (_, i) => i);
  const shuffled = Prng.fromParts(3).shuffle([...items]);
  assert.notDeepEqual(shuffled, items);
  assert.deepEqual([...shuffled].sort((a, b) => a - b), items);
});
