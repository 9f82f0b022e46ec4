import assert from "node:assert/strict";
import { formatDuration } from "./format_duration.ts";

Deno.test("formatDuration() picks a readable unit", () => {
  assert.equal(formatDuration(850.4), "850 ms");
  assert.equal(formatDuration(3_240), "3.2 s");
  assert.equal(formatDuration(59_949), "59.9 s");
  assert.equal(formatDuration(245_000), "4 min 5 s");
  assert.equal(formatDuration(7_500_000), "2 h 5 min");
  assert.equal(formatDuration(null), "-");
  assert.equal(formatDuration(-1), "-");
  assert.equal(formatDuration(NaN), "-");
});
