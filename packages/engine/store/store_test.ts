import assert from "node:assert/strict";
import { join } from "node:path";
import type { Manifest } from "./manifest.ts";
import type { ObjectIndex } from "./object_index.ts";
import { Store } from "./store.ts";

const KEY = "ab".padEnd(64, "0");

async function withStore(fn: (store: Store, root: string) => Promise<void>) {
  const root = await Deno.makeTempDir();
  try {
    const store = new Store(root);
    await store.prepare();
    await fn(store, root);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
}

Deno.test("Store publishes a staged output read-only and finds it intact", async () => {
  await withStore(async (store) => {
    assert.deepEqual(await store.lookup(KEY), { state: "absent" });
    const staging = await store.createStaging(KEY);
    await Deno.mkdir(join(staging.outDir, "sub"));
    await Deno.writeTextFile(join(staging.outDir, "sub", "a.txt"), "a");
    const manifest = await store.publish(staging, KEY);
    await assert.rejects(() => Deno.stat(staging.root), Deno.errors.NotFound, "moved, not copied");
    const found = await store.lookup(KEY);
    assert.equal(found.state, "present");
    assert.equal(found.state === "present" && found.manifest.digest, manifest.digest);
    assert.equal(store.outDir(KEY), join(store.layout.objectDir(KEY), "out"));
    const mode = (await Deno.stat(join(store.outDir(KEY), "sub", "a.txt"))).mode! & 0o777;
    assert.equal(mode, 0o444);
  });
});

Deno.test("Store leaves files that an output links to alone", async () => {
  await withStore(async (store, root) => {
    const user = join(root, "user.csv");
    await Deno.writeTextFile(user, "1,2\n");
    await Deno.chmod(user, 0o644);
    const staging = await store.createStaging(KEY);
    await Deno.symlink(user, join(staging.outDir, "link.csv"));
    await store.publish(staging, KEY);
    assert.equal((await Deno.stat(user)).mode! & 0o777, 0o644);
  });
});

Deno.test("Store reports a damaged object and moves it aside", async () => {
  await withStore(async (store, root) => {
    const staging = await store.createStaging(KEY);
    await Deno.writeTextFile(join(staging.outDir, "a.txt"), "a");
    await store.publish(staging, KEY);
    await Deno.remove(join(store.layout.objectDir(KEY), "manifest.json"));
    assert.deepEqual(await store.lookup(KEY), {
      state: "corrupt",
      reason: "manifest.json is missing",
    });
    const moved = await store.quarantine(KEY);
    assert.ok(moved.startsWith(join(root, "corrupt", KEY)));
    assert.deepEqual(await store.lookup(KEY), { state: "absent" });
  });
});

Deno.test("Store replaces an object when a key is published again", async () => {
  await withStore(async (store) => {
    for (const text of ["first", "second"]) {
      const staging = await store.createStaging(KEY);
      await Deno.writeTextFile(join(staging.outDir, "a.txt"), text);
      await store.publish(staging, KEY);
    }
    assert.equal(await Deno.readTextFile(join(store.outDir(KEY), "a.txt")), "second");
    assert.equal((await store.lookup(KEY)).state, "present");
  });
});

/** An in-memory index, as the journal's `objects` table behaves. */
function memoryIndex(): ObjectIndex & { entries: Map<string, Manifest> } {
  const entries = new Map<string, Manifest>();
  return {
    entries,
    manifest: (key) => entries.get(key),
    record: (manifest) => void entries.set(manifest.key, manifest),
    forget: (key) => void entries.delete(key),
  };
}

Deno.test("Store trusts its index's manifest only while stat calls show the files untouched", async () => {
  await withStore(async (store) => {
    const index = memoryIndex();
    store.useIndex(index);
    const staging = await store.createStaging(KEY);
    await Deno.writeTextFile(join(staging.outDir, "a.txt"), "a");
    const published = await store.publish(staging, KEY);
    assert.deepEqual(index.entries.get(KEY), published, "publishing records the manifest");
    // The object's manifest.json is not read while the index's copy matches the files.
    const manifestPath = store.layout.manifestPath(KEY);
    await Deno.chmod(manifestPath, 0o644);
    await Deno.writeTextFile(manifestPath, "not json");
    assert.equal((await store.lookup(KEY)).state, "present");
    // A changed file sends the lookup to the object's own manifest (here unreadable: corrupt).
    const file = join(store.outDir(KEY), "a.txt");
    await Deno.chmod(file, 0o644);
    await Deno.writeTextFile(file, "bb"); // a new size: mtimes may not tell within a tick
    assert.deepEqual(await store.lookup(KEY), {
      state: "corrupt",
      reason: "manifest.json is not valid JSON",
    });
    assert.equal(index.entries.has(KEY), false, "forgotten once it no longer matches");
  });
});

Deno.test("Store falls back to the object's manifest when its index is stale, and records it", async () => {
  await withStore(async (store) => {
    const index = memoryIndex();
    const staging = await store.createStaging(KEY);
    await Deno.writeTextFile(join(staging.outDir, "a.txt"), "a");
    const published = await store.publish(staging, KEY);
    // An index written by another dropline: same key, files it no longer describes.
    index.record({ ...published, files: [{ ...published.files[0]!, ino: 1, mtime: 1 }] });
    store.useIndex(index);
    const found = await store.lookup(KEY);
    assert.equal(found.state, "present");
    assert.deepEqual(index.entries.get(KEY), published);
    // Without its manifest an object is not published, whatever the index says.
    await Deno.remove(store.layout.manifestPath(KEY));
    assert.equal((await store.lookup(KEY)).state, "corrupt");
  });
});
