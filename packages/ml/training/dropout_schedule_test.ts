import assert from "node:assert/strict";
import { dropoutRate } from "./dropout_schedule.ts";

Deno.test("dropoutRate() holds a constant rate at every step", () => {
  for (const step of [0, 1, 500, 9999]) {
    assert.equal(dropoutRate(0.9, { kind: "constant" }, step), 0.9);
  }
});

Deno.test("dropoutRate() stops early dropout at the cutoff", () => {
  const early = { kind: "early", cutoff: 100 } as const;
  assert.equal(dropoutRate(0.5, early, 0), 0.5);
  assert.equal(dropoutRate(0.5, early, 99), 0.5);
  assert.equal(dropoutRate(0.5, early, 100), 0);
  assert.equal(dropoutRate(0.5, early, 5000), 0);
});

Deno.test("dropoutRate() decays early dropout linearly to zero", () => {
  const early = { kind: "early", cutoff: 100, decay: "linear" } as const;
  assert.equal(dropoutRate(0.8, early, 0), 0.8);
  assert.ok(Math.abs(dropoutRate(0.8, early, 50) - 0.4) < 1e-12);
  assert.ok(Math.abs(dropoutRate(0.8, early, 75) - 0.2) < 1e-12);
  assert.equal(dropoutRate(0.8, early, 100), 0);
});

Deno.test("dropoutRate() starts late dropout at the cutoff", () => {
  const late = { kind: "late", cutoff: 30 } as const;
  assert.equal(dropoutRate(0.9, late, 0), 0);
  assert.equal(dropoutRate(0.9, late, 29), 0);
  assert.equal(dropoutRate(0.9, late, 30), 0.9);
  assert.equal(dropoutRate(0.9, late, 1000), 0.9);
});
