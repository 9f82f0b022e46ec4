import assert from "node:assert/strict";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { JOURNAL_DDL } from "../journal/schema.ts";
import { FileDigests } from "./file_digests.ts";

function journalDb(): DatabaseSync {
  const db = new DatabaseSync(":memory:");
  db.exec(JOURNAL_DDL);
  return db;
}

Deno.test("FileDigests digests a file by content", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const a = join(dir, "a.txt");
    const b = join(dir, "b.txt");
    await Deno.writeTextFile(a, "same");
    await Deno.writeTextFile(b, "same");
    const files = new FileDigests(undefined, false);
    assert.equal(await files.digest(a), await files.digest(b));
    await Deno.writeTextFile(b, "diff");
    assert.notEqual(await new FileDigests(undefined, false).digest(b), await files.digest(a));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("FileDigests reuses a digest while size, mtime and inode match", async () => {
  const dir = await Deno.makeTempDir();
  const db = journalDb();
  try {
    const path = join(dir, "data.csv");
    await Deno.writeTextFile(path, "1,2,3");
    const first = await new FileDigests(db, true).digest(path);
    // Rewrite in place with the same size and restore the mtime: the stat
    // cache answers without reading, which proves a no-op run reads nothing.
    const { mtime } = await Deno.stat(path);
    await Deno.writeTextFile(path, "4,5,6");
    await Deno.utime(path, mtime!, mtime!);
    assert.equal(await new FileDigests(db, true).digest(path), first);
    // A new mtime invalidates the entry.
    await Deno.utime(path, new Date(), new Date(Date.now() + 5_000));
    assert.notEqual(await new FileDigests(db, true).digest(path), first);
  } finally {
    db.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("FileDigests read-only leaves the stat cache untouched", async () => {
  const dir = await Deno.makeTempDir();
  const db = journalDb();
  try {
    const path = join(dir, "x");
    await Deno.writeTextFile(path, "x");
    await new FileDigests(db, false).digest(path);
    assert.equal(db.prepare("SELECT COUNT(*) AS n FROM file_stats").get()!.n, 0);
  } finally {
    db.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("FileDigests digests a directory by its paths and contents", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.mkdir(join(dir, "d", "e"), { recursive: true });
    await Deno.writeTextFile(join(dir, "d", "e", "f.txt"), "f");
    const files = () => new FileDigests(undefined, false);
    const before = await files().digest(join(dir, "d"));
    await Deno.rename(join(dir, "d", "e", "f.txt"), join(dir, "d", "e", "g.txt"));
    assert.notEqual(await files().digest(join(dir, "d")), before);
    await assert.rejects(() => files().digest(join(dir, "missing")), Deno.errors.NotFound);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
