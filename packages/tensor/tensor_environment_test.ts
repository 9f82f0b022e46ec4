import assert from "node:assert/strict";
import { tensorEnvironment } from "./tensor_environment.ts";

Deno.test("tensorEnvironment() prefers the param, then DROPLINE_BACKEND, then auto", () => {
  const saved = Deno.env.get("DROPLINE_BACKEND");
  try {
    Deno.env.delete("DROPLINE_BACKEND");
    assert.deepEqual(tensorEnvironment(undefined), { tensor_backend: "auto" });
    Deno.env.set("DROPLINE_BACKEND", "cpu");
    assert.deepEqual(tensorEnvironment(undefined), { tensor_backend: "cpu" });
    assert.deepEqual(tensorEnvironment("wasm"), { tensor_backend: "wasm" });
    Deno.env.set("DROPLINE_BACKEND", "gpu");
    assert.throws(
      () => tensorEnvironment(undefined),
      /Unknown tensor backend "gpu" in DROPLINE_BACKEND/,
    );
  } finally {
    if (saved === undefined) Deno.env.delete("DROPLINE_BACKEND");
    else Deno.env.set("DROPLINE_BACKEND", saved);
  }
});
