import assert from "node:assert/strict";
import { formatMeanStderr, meanStderr } from "./mean_stderr.ts";

Deno.test("meanStderr() is DomainBed's: the population standard deviation over root n", () => {
  const { mean, stderr, n } = meanStderr([0.8, 0.82, 0.84]);
  assert.ok(Math.abs(mean - 0.82) < 1e-12);
  // np.std([0.8, 0.82, 0.84] / sqrt(3)) = sqrt(0.0008 / 3) / sqrt(3)
  assert.ok(Math.abs(stderr! - Math.sqrt(0.0008 / 3) / Math.sqrt(3)) < 1e-12);
  assert.equal(n, 3);
});

Deno.test("meanStderr() of one trial has no error bar", () => {
  assert.deepEqual(meanStderr([0.5]), { mean: 0.5, stderr: null, n: 1 });
  assert.equal(formatMeanStderr(meanStderr([0.5])), "50.0");
});

Deno.test("formatMeanStderr() prints percentages with one decimal", () => {
  assert.equal(formatMeanStderr(meanStderr([0.8, 0.82, 0.84])), "82.0 ± 0.9");
  assert.equal(formatMeanStderr(null), "-");
});
