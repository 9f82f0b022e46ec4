import assert from "node:assert/strict";
import { loadTensorRuntime, resolveBackendChoice, runtimeFacts } from "./runtime.ts";
import { resolveBackend } from "./resolve_backend.ts";

Deno.test("resolveBackendChoice() prefers the option, then the environment, then auto", () => {
  assert.equal(resolveBackendChoice("wasm", "cpu"), "wasm");
  assert.equal(resolveBackendChoice(undefined, "cpu"), "cpu");
  assert.equal(resolveBackendChoice(undefined, " CPU "), "cpu");
  assert.equal(resolveBackendChoice(undefined, ""), "auto");
  assert.equal(resolveBackendChoice(undefined, undefined), "auto");
});

Deno.test("resolveBackendChoice() rejects an unknown backend naming where it came from", () => {
  assert.throws(() => resolveBackendChoice(undefined, "gpu"), /"gpu" in DROPLINE_BACKEND/);
  assert.throws(() => resolveBackendChoice("webgl", undefined), /"webgl" in backend/);
});

Deno.test("loadTensorRuntime() loads what auto resolves to, silently and once", async () => {
  const lines: string[] = [];
  const rt = await loadTensorRuntime({ log: (m) => lines.push(m) });
  const again = await loadTensorRuntime({ log: (m) => lines.push(m) });
  assert.equal(again, rt);
  assert.deepEqual(lines, []);
  const resolved = resolveBackend(undefined);
  assert.equal(rt.backend, resolved.backend);
  assert.equal(rt.resolved, resolved.key);
  assert.equal(rt.tf.getBackend(), rt.backend);
  const facts = runtimeFacts(rt);
  assert.equal(facts.backend, resolved.key);
  assert.equal(facts.tfjs, "4.22.0");
  assert.equal(facts.threads, rt.threads);
});

Deno.test("loadTensorRuntime() exposes core, layers and the converter in one namespace", async () => {
  const { tf } = await loadTensorRuntime();
  for (const name of ["tidy", "sequential", "loadLayersModel", "loadGraphModel", "train"]) {
    assert.ok(name in tf, `tf.${name} is missing`);
  }
  const model = tf.sequential({ layers: [tf.layers.dense({ units: 2, inputShape: [3] })] });
  assert.equal(model.countParams(), 8);
  model.dispose();
});

Deno.test("loadTensorRuntime() refuses to switch to another explicit backend", async () => {
  const rt = await loadTensorRuntime();
  const other = rt.backend === "cpu" ? "wasm" : "cpu";
  await assert.rejects(loadTensorRuntime({ backend: other }), /already loaded with backend/);
});

Deno.test("DROPLINE_BACKEND=cpu selects the cpu backend in a fresh process", async () => {
  const code = `import { loadTensorRuntime } from "${import.meta.resolve("./runtime.ts")}";
    const rt = await loadTensorRuntime(); console.log(rt.backend, rt.tf.getBackend());`;
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["eval", code],
    env: { DROPLINE_BACKEND: "cpu" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(new TextDecoder().decode(out.stdout).trim(), "cpu cpu");
  assert.equal(new TextDecoder().decode(out.stderr).trim(), "");
});
