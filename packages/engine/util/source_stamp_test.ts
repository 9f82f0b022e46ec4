import assert from "node:assert/strict";
import { join } from "node:path";
import { sourceFiles, sourceStamp } from "./source_stamp.ts";

Deno.test("sourceFiles() lists code, not tests, fixtures or dependencies", async () => {
  const dir = await Deno.makeTempDir();
  try {
    for (
      const path of [
        "a/mod.ts",
        "a/mod_test.ts",
        "a/testdata/x.json",
        "a/node_modules/z.js",
        "a/.cache/y.ts",
        "a/b/c.js",
        "a/notes.md",
        "deno.json",
      ]
    ) {
      await Deno.mkdir(join(dir, path, ".."), { recursive: true });
      await Deno.writeTextFile(join(dir, path), "x");
    }
    assert.deepEqual(sourceFiles([join(dir, "a"), join(dir, "deno.json"), join(dir, "gone")]), [
      join(dir, "a/b/c.js"),
      join(dir, "a/mod.ts"),
      join(dir, "deno.json"),
    ]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("sourceStamp() changes when a listed file is edited, replaced or removed", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const file = join(dir, "mod.ts");
    await Deno.writeTextFile(file, "export const a = 1;\n");
    const stamp = sourceStamp([file]);
    assert.equal(sourceStamp([file]), stamp);
    // The same size, a later mtime.
    await Deno.utime(file, 1, 1);
    const touched = sourceStamp([file]);
    assert.notEqual(touched, stamp);
    // Replaced by another file (another inode), same size and mtime.
    await Deno.writeTextFile(`${file}.new`, "export const a = 2;\n");
    await Deno.utime(`${file}.new`, 1, 1);
    await Deno.rename(`${file}.new`, file);
    assert.notEqual(sourceStamp([file]), touched);
    await Deno.remove(file);
    assert.equal(sourceStamp([file]), "-");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
