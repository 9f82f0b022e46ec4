import assert from "node:assert/strict";
import { formatBytes } from "./format_bytes.ts";

Deno.test("formatBytes() picks the largest binary unit", () => {
  assert.equal(formatBytes(0), "0 B");
  assert.equal(formatBytes(1023), "1023 B");
  assert.equal(formatBytes(1024), "1.0 KiB");
  assert.equal(formatBytes(1536), "1.5 KiB");
  assert.equal(formatBytes(3.2 * 2 ** 20), "3.2 MiB");
  assert.equal(formatBytes(2 ** 50 * 3), "3072.0 TiB");
  assert.equal(formatBytes(12.6), "13 B", "a rate in bytes per second rounds");
});
