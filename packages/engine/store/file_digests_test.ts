import assert from "node:assert/strict";
import { join } from "node:path";
import { type CachedStat, FileDigests, type StatCache } from "./file_digests.ts";

/** A stat cache in memory, counting what it is asked. */
class MemoryStats implements StatCache {
  entries = new Map<string, CachedStat>();
  get(path: string) {
    return this.entries.get(path);
  }
  put(path: string, stat: CachedStat) {
    this.entries.set(path, stat);
  }
}

Deno.test("FileDigests digests a file by content", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const a = join(dir, "a.txt");
    const b = join(dir, "b.txt");
    await Deno.writeTextFile(a, "same");
    await Deno.writeTextFile(b, "same");
    const files = new FileDigests();
    assert.equal(await files.digest(a), await files.digest(b));
    await Deno.writeTextFile(b, "diff");
    assert.notEqual(await new FileDigests().digest(b), await files.digest(a));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("FileDigests reuses a digest while size, mtime and inode match", async () => {
  const dir = await Deno.makeTempDir();
  const stats = new MemoryStats();
  try {
    const path = join(dir, "data.csv");
    await Deno.writeTextFile(path, "1,2,3");
    const first = await new FileDigests(stats).digest(path);
    assert.equal(stats.entries.get(path)?.digest, first);
    // Rewrite in place with the same size and restore the mtime: the stat
    // cache answers without reading, which proves a no-op run reads nothing.
    const { mtime } = await Deno.stat(path);
    await Deno.writeTextFile(path, "4,5,6");
    await Deno.utime(path, mtime!, mtime!);
    assert.equal(await new FileDigests(stats).digest(path), first);
    // A new mtime invalidates the entry.
    await Deno.utime(path, new Date(), new Date(Date.now() + 5_000));
    assert.notEqual(await new FileDigests(stats).digest(path), first);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("FileDigests digests a directory by its paths and contents", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.mkdir(join(dir, "d", "e"), { recursive: true });
    await Deno.writeTextFile(join(dir, "d", "e", "f.txt"), "f");
    const files = () => new FileDigests();
    const before = await files().digest(join(dir, "d"));
    await Deno.rename(join(dir, "d", "e", "f.txt"), join(dir, "d", "e", "g.txt"));
    assert.notEqual(await files().digest(join(dir, "d")), before);
    await assert.rejects(() => files().digest(join(dir, "missing")), Deno.errors.NotFound);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
