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
