import assert from "node:assert/strict";
import { CacheLayout } from "./cache_layout.ts";
import { collectGarbage } from "./collect_garbage.ts";
import { exists, Store } from "./store.ts";

const key = (c: string) => c.repeat(64);

async function publish(store: Store, k: string, text: string): Promise<void> {
  const staging = await store.createStaging(k);
  await Deno.writeTextFile(`${staging.outDir}/a.txt`, text);
  await store.publish(staging, k);
}

Deno.test("collectGarbage() deletes unreferenced objects and dead staging, never a locked key", async () => {
  const root = await Deno.makeTempDir();
  try {
    const store = new Store(root);
    await store.prepare();
    const layout = new CacheLayout(root);
    await publish(store, key("a"), "kept");
    await publish(store, key("b"), "garbage");
    await publish(store, key("c"), "locked");
    await Deno.writeTextFile(layout.lockPath(key("c")), "{}");
    const dead = await store.createStaging(key("d"));
    const live = await store.createStaging(key("e"));
    await Deno.writeTextFile(layout.lockPath(key("e")), "{}");

    const dry = await collectGarbage(layout, new Set([key("a")]), { dryRun: true });
    assert.equal(dry.objects, 1);
    assert.equal(dry.stagingDirs, 1);
    assert.equal(dry.kept, 2, "the referenced object and the locked one");
    assert.ok(dry.bytes > "garbage".length, "the object's manifest counts too");
    assert.ok(await exists(layout.objectDir(key("b"))), "a dry run deletes nothing");

    assert.deepEqual(await collectGarbage(layout, new Set([key("a")]), { dryRun: false }), dry);
    assert.ok(await exists(layout.objectDir(key("a"))));
    assert.ok(!(await exists(layout.objectDir(key("b")))));
    assert.ok(await exists(layout.objectDir(key("c"))), "a key being computed is not touched");
    assert.ok(!(await exists(dead.root)));
    assert.ok(await exists(live.root));
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("collectGarbage() finds nothing in a cache that was never used", async () => {
  const root = await Deno.makeTempDir();
  const report = await collectGarbage(new CacheLayout(root), new Set(), { dryRun: false });
  assert.deepEqual(report, { objects: 0, stagingDirs: 0, bytes: 0, kept: 0 });
  await Deno.remove(root);
});

Deno.test("collectGarbage() counts as kept only objects in the store, not keys yet to be published", async () => {
  const root = await Deno.makeTempDir();
  try {
    const store = new Store(root);
    await store.prepare();
    await publish(store, key("a"), "published");
    // A live run keeps every key of its pipeline; only one is published so far.
    const keep = new Set([key("a"), key("b"), key("c"), key("d")]);
    const report = await collectGarbage(new CacheLayout(root), keep, { dryRun: true });
    assert.deepEqual(report, { objects: 0, stagingDirs: 0, bytes: 0, kept: 1 });
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
