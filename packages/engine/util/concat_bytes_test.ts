import assert from "node:assert/strict";
import { concatBytes } from "./concat_bytes.ts";

Deno.test("concatBytes() joins parts in order, empty ones included", () => {
  assert.deepEqual(
    concatBytes([Uint8Array.of(1), new Uint8Array(0), Uint8Array.of(2, 3)]),
    Uint8Array.of(1, 2, 3),
  );
  assert.deepEqual(concatBytes([]), new Uint8Array(0));
});
