import assert from "node:assert/strict";
import { readLogChunk } from "./log_tail.ts";

Deno.test("readLogChunk() tails a long log from a line boundary", async () => {
  const path = await Deno.makeTempFile();
  const lines = Array.from({ length: 1000 }, (_, i) => `line ${i}`).join("\n") + "\n";
  await Deno.writeTextFile(path, lines);
  const chunk = await readLogChunk(path, undefined, 100);
  assert.ok(chunk.from > 0);
  assert.ok(chunk.text.startsWith("line "), chunk.text);
  assert.ok(chunk.text.endsWith("line 999\n"));
  assert.equal(chunk.next, chunk.size);
});

Deno.test("readLogChunk() never splits a line or a UTF-8 character", async () => {
  const path = await Deno.makeTempFile();
  await Deno.writeTextFile(path, "héllo\nwörld");
  const first = await readLogChunk(path, 0);
  assert.equal(first.text, "héllo\n");
  await Deno.writeTextFile(path, " ✓\n", { append: true });
  const second = await readLogChunk(path, first.next);
  assert.equal(second.text, "wörld ✓\n");
});

Deno.test("readLogChunk() reports a log that does not exist yet", async () => {
  const chunk = await readLogChunk("/nonexistent/dir/x.log", 5);
  assert.deepEqual(chunk, { text: "", from: 5, next: 5, size: 0, missing: true });
});
