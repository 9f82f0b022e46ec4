import assert from "node:assert/strict";
import { applyOverrides, OverrideError } from "./overrides.ts";
import { parseOverrides } from "./override_values.ts";

const params = { n: 3, opt: { lr: 0.1, name: "sgd" }, tags: ["a"] };

Deno.test("applyOverrides() parses values as YAML and leaves the input alone", () => {
  const result = applyOverrides(
    params,
    parseOverrides([
      "params.n=5",
      "params.opt.lr=1e-3",
      "params.opt.name=adam",
      "params.tags=[x, y]",
    ]),
  );
  assert.deepEqual(result, { n: 5, opt: { lr: 0.001, name: "adam" }, tags: ["x", "y"] });
  assert.equal(params.n, 3);
});

Deno.test("applyOverrides() keeps an empty value as an empty string", () => {
  assert.deepEqual(applyOverrides({ s: "x" }, parseOverrides(["params.s="])), { s: "" });
});

Deno.test("applyOverrides() suggests the param a typo meant", () => {
  assert.throws(
    () => applyOverrides(params, parseOverrides(["params.opt.rl=1"])),
    (error: Error) => {
      assert.ok(error instanceof OverrideError);
      assert.equal(
        error.message,
        'Invalid --set "params.opt.rl=1": unknown param "opt.rl" (did you mean "lr"?)',
      );
      return true;
    },
  );
});

Deno.test("applyOverrides() refuses malformed overrides", () => {
  for (const bad of ["n=5", "params.n", "=5", "params..n=1", "params.n=[1"]) {
    assert.throws(() => applyOverrides(params, parseOverrides([bad])), OverrideError, bad);
  }
});
