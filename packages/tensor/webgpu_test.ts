import assert from "node:assert/strict";

/** CI installs lavapipe (mesa-vulkan-drivers) and sets CI=true: there this test must run. */
const REQUIRED = Deno.env.get("CI") === "true";

Deno.test("feature extraction and SGD steps on webgpu match the cpu backend on small networks", async () => {
  const script = new URL("./testdata/webgpu_training.ts", import.meta.url);
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--unstable-webgpu", script.pathname],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stderr = new TextDecoder().decode(out.stderr);
  assert.equal(out.code, 0, stderr);
  const result = JSON.parse(new TextDecoder().decode(out.stdout).trim()) as Record<string, unknown>;
  if (result.skipped) {
    assert.ok(!REQUIRED, `webgpu is required in CI: ${result.skipped}`);
    console.error(`webgpu_test: skipped, ${result.skipped}`);
    return;
  }
  for (const network of ["mnist_cnn", "residual"]) {
    const diff = result[network];
    // NaN serialises as null: it fails here too.
    assert.ok(typeof diff === "number" && diff < 1e-4, `${network}: max abs difference ${diff}`);
  }
});
