import assert from "node:assert/strict";
import { safeEntryPath } from "./safe_entry_path.ts";

Deno.test("safeEntryPath() normalises harmless names", () => {
  assert.equal(safeEntryPath("PACS/photo/dog/1.jpg"), "PACS/photo/dog/1.jpg");
  assert.equal(safeEntryPath("./a//b/./c.txt"), "a/b/c.txt");
  assert.equal(safeEntryPath("a/b/../c.txt"), "a/c.txt");
  assert.equal(safeEntryPath("dir\\file.txt"), "dir/file.txt");
  assert.equal(safeEntryPath("PACS/"), "PACS");
  assert.equal(safeEntryPath("a/.."), "");
});

Deno.test("safeEntryPath() rejects names that escape the output directory", () => {
  for (
    const name of [
      "../evil.txt",
      "a/../../evil.txt",
      "/etc/passwd",
      "C:/Windows/x",
      "..\\..\\x",
      "a\0b",
    ]
  ) {
    assert.equal(safeEntryPath(name), null, name);
  }
});
