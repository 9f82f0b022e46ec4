import assert from "node:assert/strict";
import { decide, type DecisionFacts, describeChanges, type RecordedInputs } from "./reasons.ts";

const inputs = (over: Partial<RecordedInputs> = {}): RecordedInputs => ({
  task: "shell",
  version: 1,
  params: { run: "echo 3", opt: { lr: 0.1 } },
  upstream: { make: "d1" },
  files: { "a.csv": "f1" },
  usedParams: { n: 3 },
  ...over,
});

Deno.test("describeChanges() names a changed pipeline param with both values", () => {
  const after = inputs({ params: { run: "echo 5", opt: { lr: 0.1 } }, usedParams: { n: 5 } });
  assert.deepEqual(describeChanges(inputs(), after), ['param "n" changed from 3 to 5']);
});

Deno.test("describeChanges() falls back to `with` fields when no pipeline param changed", () => {
  const after = inputs({ params: { run: "echo 3", opt: { lr: 0.2 } } });
  assert.deepEqual(describeChanges(inputs(), after), [
    'param "with.opt.lr" changed from 0.1 to 0.2',
  ]);
});

Deno.test("describeChanges() reports task, version, upstream and file changes", () => {
  const after = inputs({
    version: 2,
    upstream: { make: "d2", extra: "e" },
    files: {},
    usedParams: { n: 3, m: "x" },
  });
  assert.deepEqual(describeChanges(inputs(), after), [
    "task version changed from 1 to 2",
    'param "m" added ("x")',
    'upstream "make" changed',
    'upstream "extra" added',
    'input file "a.csv" removed',
  ]);
});

Deno.test("describeChanges() finds nothing between equal inputs", () => {
  assert.deepEqual(describeChanges(inputs(), inputs()), []);
});

const facts = (over: Partial<DecisionFacts>): DecisionFacts => ({
  key: "k2",
  inputs: inputs({ usedParams: { n: 5 } }),
  forced: false,
  stored: { state: "absent" },
  ...over,
});

Deno.test("decide() reuses a stored result unless forced", () => {
  assert.deepEqual(decide(facts({ stored: { state: "present" } })), {
    action: "reuse",
    reason: "result for this key is stored",
  });
  assert.deepEqual(decide(facts({ stored: { state: "present" }, forced: true })), {
    action: "run",
    reason: "forced (--force)",
  });
});

Deno.test("decide() explains a corrupted result", () => {
  assert.deepEqual(decide(facts({ stored: { state: "corrupt", reason: 'file "a" is missing' } })), {
    action: "run",
    reason: 'stored result is corrupted (file "a" is missing)',
  });
});

Deno.test("decide() explains a missing result from the last attempt", () => {
  const previous = (state: string, key = "k2") => ({ key, inputs: inputs(), state, error: null });
  const reason = (p?: ReturnType<typeof previous>) =>
    decide(facts(p ? { previous: p } : {})).reason;
  assert.equal(reason(), "no result for this key (the stage never ran)");
  assert.equal(reason(previous("failed")), "no result for this key (the last attempt failed)");
  assert.equal(
    reason(previous("interrupted")),
    "no result for this key (the last attempt was interrupted)",
  );
  for (const state of ["skipped", "pending"]) {
    assert.equal(
      reason(previous(state)),
      "no result for this key (its last run stopped before it)",
    );
  }
  assert.equal(
    reason(previous("succeeded")),
    "no result for this key (it was removed from the store)",
  );
  assert.equal(reason(previous("succeeded", "k1")), 'param "n" changed from 3 to 5');
});

Deno.test("describeChanges() names a changed environment fact", () => {
  const base = { task: "t", version: 1, params: {}, upstream: {}, files: {} };
  assert.deepEqual(
    describeChanges({ ...base, env: { tensor_backend: "wasm" } }, {
      ...base,
      env: { tensor_backend: "wasm+openblas" },
    }),
    ['environment "tensor_backend" changed from "wasm" to "wasm+openblas"'],
  );
});
