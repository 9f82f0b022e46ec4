import assert from "node:assert/strict";
import { join } from "node:path";
import { buildManifest, contentDigest, verifyManifest } from "./manifest.ts";

async function withOutput(fn: (dir: string) => Promise<void>) {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.mkdir(join(dir, "sub"));
    await Deno.writeTextFile(join(dir, "a.txt"), "alpha");
    await Deno.writeTextFile(join(dir, "sub", "b.txt"), "beta");
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("buildManifest() lists files sorted with their digests", async () => {
  await withOutput(async (dir) => {
    const manifest = await buildManifest("k", dir);
    assert.deepEqual(manifest.files.map((f) => [f.path, f.size]), [["a.txt", 5], ["sub/b.txt", 4]]);
    assert.equal(
      manifest.files[0]!.sha256,
      "8ed3f6ad685b959ead7022518e1af76cd816f8e8ec7ccdda1ed4018e8f2223f8",
    );
    assert.equal(manifest.digest, contentDigest(manifest.files));
  });
});

Deno.test("contentDigest() depends on paths and bytes, not on stat times", async () => {
  await withOutput(async (dir) => {
    const first = await buildManifest("k1", dir);
    await Deno.utime(join(dir, "a.txt"), 1, 1);
    const second = await buildManifest("k2", dir);
    assert.equal(second.digest, first.digest);
    await Deno.writeTextFile(join(dir, "a.txt"), "alphA");
    assert.notEqual((await buildManifest("k3", dir)).digest, first.digest);
  });
});

Deno.test("verifyManifest() trusts files whose stat still matches", async () => {
  await withOutput(async (dir) => {
    const manifest = await buildManifest("k", dir);
    assert.equal(await verifyManifest(manifest, dir), undefined);
    // Same size, mtime and inode: not re-read, by design (a no-op run reads no content).
    const file = join(dir, "a.txt");
    const { mtime } = await Deno.stat(file);
    await Deno.writeTextFile(file, "ALPHA");
    await Deno.utime(file, mtime!, mtime!);
    assert.equal(await verifyManifest(manifest, dir), undefined);
  });
});

Deno.test("verifyManifest() detects changed, resized and missing files", async () => {
  await withOutput(async (dir) => {
    const manifest = await buildManifest("k", dir);
    await Deno.writeTextFile(join(dir, "a.txt"), "ALPHA");
    // A same-size rewrite is found through its mtime; within one clock tick of
    // the manifest (seen under load) it could not be, so date it a second on.
    const later = new Date((await Deno.stat(join(dir, "a.txt"))).mtime!.getTime() + 1_000);
    await Deno.utime(join(dir, "a.txt"), later, later);
    assert.equal(await verifyManifest(manifest, dir), 'file "a.txt" content changed');
    await Deno.writeTextFile(join(dir, "a.txt"), "alphabet");
    assert.equal(await verifyManifest(manifest, dir), 'file "a.txt" changed size (5 -> 8 bytes)');
    await Deno.remove(join(dir, "a.txt"));
    assert.equal(await verifyManifest(manifest, dir), 'file "a.txt" is missing');
  });
});

Deno.test("verifyManifest() detects a tampered manifest", async () => {
  await withOutput(async (dir) => {
    const manifest = await buildManifest("k", dir);
    manifest.files[0]!.sha256 = "0".repeat(64);
    assert.equal(await verifyManifest(manifest, dir), "manifest is damaged");
  });
});
