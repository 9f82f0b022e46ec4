import assert from "node:assert/strict";
import { tensorEnvironment } from "./tensor_environment.ts";
import { nativeBlas } from "./native_blas.ts";
import { hardwareGpu, tfjsNodeInstalled } from "./resolve_backend.ts";

function withBackendEnv(value: string | undefined, f: () => void): void {
  const saved = Deno.env.get("DROPLINE_BACKEND");
  try {
    if (value === undefined) Deno.env.delete("DROPLINE_BACKEND");
    else Deno.env.set("DROPLINE_BACKEND", value);
    f();
  } finally {
    if (saved === undefined) Deno.env.delete("DROPLINE_BACKEND");
    else Deno.env.set("DROPLINE_BACKEND", saved);
  }
}

Deno.test("tensorEnvironment() prefers the param, then DROPLINE_BACKEND, then auto", () => {
  withBackendEnv("cpu", () => {
    assert.deepEqual(tensorEnvironment(undefined), { tensor_backend: "cpu" });
    assert.deepEqual(tensorEnvironment("webgpu"), { tensor_backend: "webgpu" });
  });
  withBackendEnv("gpu", () => {
    assert.throws(
      () => tensorEnvironment(undefined),
      /Unknown tensor backend "gpu" in DROPLINE_BACKEND/,
    );
  });
});

Deno.test("tensorEnvironment() keys auto and wasm on what they resolve to here", () => {
  const blas = nativeBlas();
  const wasm = blas ? `wasm+${blas.name}` : "wasm";
  withBackendEnv(undefined, () => {
    assert.deepEqual(tensorEnvironment("wasm"), { tensor_backend: wasm });
    const auto = tfjsNodeInstalled() ? "tensorflow" : hardwareGpu() ? "webgpu" : wasm;
    assert.deepEqual(tensorEnvironment(undefined), { tensor_backend: auto });
    assert.notEqual(tensorEnvironment(undefined).tensor_backend, "auto");
  });
});
