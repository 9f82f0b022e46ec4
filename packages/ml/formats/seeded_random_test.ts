import assert from "node:assert/strict";
import { seededRandom } from "./seeded_random.ts";

Deno.test("seededRandom() repeats its sequence for the same seed parts and differs otherwise", () => {
  const take = (...seed: (number | string)[]) => {
    const rng = seededRandom(...seed);
    return Array.from({ length: 5 }, () => rng.next());
  };
  assert.deepEqual(take(1, 23), take(1, 23));
  assert.notDeepEqual(take(1, 23), take(12, 3));
  assert.notDeepEqual(take(1), take("1"));
});

Deno.test("seededRandom() draws uniform floats and fair Bernoulli trials", () => {
  const rng = seededRandom(7);
  let sum = 0;
  let heads = 0;
  const n = 20_000;
  for (let i = 0; i < n; i++) {
    const x = rng.next();
    assert.ok(x >= 0 && x < 1);
    sum += x;
    if (rng.bernoulli(0.25)) heads++;
  }
  assert.ok(Math.abs(sum / n - 0.5) < 0.01, `mean ${sum / n}`);
  assert.ok(Math.abs(heads / n - 0.25) < 0.01, `rate ${heads / n}`);
});

Deno.test("seededRandom().shuffle() permutes every element", () => {
  const items = Array.from({ length: 100 }, (_, i) => i);
  const shuffled = seededRandom(3).shuffle([...items]);
  assert.notDeepEqual(shuffled, items);
  assert.deepEqual([...shuffled].sort((a, b) => a - b), items);
});
