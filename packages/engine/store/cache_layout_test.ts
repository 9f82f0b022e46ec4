import assert from "node:assert/strict";
import { resolve } from "node:path";
import { CACHE_ENTRIES, CacheLayout, DEFAULT_CACHE_DIR } from "./cache_layout.ts";

const KEY = "ab".padEnd(64, "0");

Deno.test("CacheLayout places every entry under one absolute root", () => {
  const layout = new CacheLayout("/tmp/c");
  assert.equal(layout.journal, "/tmp/c/journal.db");
  assert.equal(layout.objectDir(KEY), `/tmp/c/objects/ab/${KEY}`);
  assert.equal(layout.outDir(KEY), `/tmp/c/objects/ab/${KEY}/out`);
  assert.equal(layout.manifestPath(KEY), `/tmp/c/objects/ab/${KEY}/manifest.json`);
  assert.equal(layout.stagingDir(KEY, "n1"), `/tmp/c/staging/${KEY}.n1`);
  assert.equal(layout.checkpointDir(KEY), `/tmp/c/checkpoints/${KEY}`);
  assert.equal(layout.lockPath(KEY), `/tmp/c/locks/${KEY}.lock`);
  assert.equal(layout.logPath("r1", 3), "/tmp/c/logs/r1/3.log");
  assert.equal(layout.corruptDir(KEY, 5), `/tmp/c/corrupt/${KEY}.5`);
  for (const name of ["objects", "staging", "checkpoints", "locks", "logs", "corrupt"] as const) {
    assert.equal(layout.dir(name), `/tmp/c/${CACHE_ENTRIES[name]}`);
  }
  assert.deepEqual(
    layout.runnerDirs(),
    ["objects", "staging", "checkpoints", "locks", "logs"].map((d) => `/tmp/c/${d}`),
  );
});

Deno.test("CacheLayout defaults to ./cache and resolves relative directories", () => {
  assert.equal(new CacheLayout().root, resolve(DEFAULT_CACHE_DIR));
  assert.equal(new CacheLayout(undefined).root, resolve("cache"));
  assert.equal(new CacheLayout("a/../b").root, resolve("b"));
});

Deno.test("CacheLayout.keyOf() reads the key of a staging area or lock file", () => {
  const layout = new CacheLayout("/c");
  assert.equal(layout.keyOf(`${KEY}.1a2b3c4d`), KEY);
  assert.equal(layout.keyOf(`${KEY}.lock`), KEY);
});
