import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { sha256Hex } from "./sha256_hex.ts";

Deno.test("sha256Hex() matches the SHA-256 test vectors", () => {
  assert.equal(sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  assert.equal(
    sha256Hex("abc"),
    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
  );
  // UTF-8, not UTF-16: "é" is the two bytes c3 a9.
  assert.equal(sha256Hex("é"), "4a99557e4033c3539de2eb65472017cad5f9557f7a0625a09f1c3f6e2ba69c4c");
});

Deno.test("sha256Hex() agrees with node:crypto across block boundaries and long texts", () => {
  const native = (text: string) => createHash("sha256").update(text).digest("hex");
  for (const length of [1, 55, 56, 57, 63, 64, 65, 119, 120, 128, 1000, 70_000]) {
    const text = Array.from({ length }, (_, i) => String.fromCharCode(32 + (i * 7) % 90)).join("");
    assert.equal(sha256Hex(text), native(text), `length ${length}`);
  }
  const unicode = "stage ✓ é 日本 🎲".repeat(40);
  assert.equal(sha256Hex(unicode), native(unicode));
  // Reused scratch space: a short text after a long one is not polluted by it.
  assert.equal(sha256Hex("abc"), native("abc"));
});
