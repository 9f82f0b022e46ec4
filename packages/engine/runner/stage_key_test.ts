import assert from "node:assert/strict";
import { KEY_FORMAT_VERSION, type KeyInputs, keyInputsJson, stageKey } from "./stage_key.ts";
import { canonicalJson } from "../util/canonical_json.ts";

const base: KeyInputs = {
  task: "shell",
  version: 1,
  params: { run: "echo 3", outputs: [] },
  upstream: { make: "d1" },
  files: { "data.csv": "f1" },
};

Deno.test("stageKey() is a stable hex digest independent of key order", () => {
  const key = stageKey(base);
  assert.match(key, /^[0-9a-f]{64}$/);
  assert.equal(
    stageKey({
      files: base.files,
      upstream: base.upstream,
      params: { outputs: [], run: "echo 3" },
      version: 1,
      task: "shell",
    }),
    key,
  );
});

Deno.test("stageKey() changes with params, task version, upstream content and files", () => {
  const key = stageKey(base);
  const variants: KeyInputs[] = [
    { ...base, params: { run: "echo 5", outputs: [] } },
    { ...base, version: 2 },
    { ...base, task: "other" },
    { ...base, upstream: { make: "d2" } },
    { ...base, files: { "data.csv": "f2" } },
    { ...base, files: {} },
  ];
  const keys = new Set(variants.map((inputs) => stageKey(inputs)));
  assert.equal(keys.size, variants.length);
  assert.ok(!keys.has(key));
});

Deno.test("stageKey() depends on upstream output digests, not on where they are stored", () => {
  // Params carry placeholders, so an upstream that re-ran to the same bytes
  // (same digest, new key) leaves its consumers' keys unchanged.
  const consumer = (digest: string): KeyInputs => ({
    ...base,
    params: { run: "cat <out:make>/n.txt" },
    upstream: { make: digest },
  });
  assert.equal(stageKey(consumer("same")), stageKey(consumer("same")));
  assert.notEqual(stageKey(consumer("same")), stageKey(consumer("other")));
});

Deno.test("keyInputsJson() with environment facts equals canonical JSON of the inputs", () => {
  const inputs = {
    task: "t",
    version: 2,
    params: { b: 1, a: [2] },
    upstream: { u: "d" },
    files: {},
    env: { tensor_backend: "cpu" },
  };
  assert.equal(keyInputsJson(inputs), canonicalJson({ format: KEY_FORMAT_VERSION, ...inputs }));
  assert.notEqual(stageKey(inputs), stageKey({ ...inputs, env: { tensor_backend: "wasm" } }));
});
