import assert from "node:assert/strict";
import { makeTarGz, makeZip } from "../../tests/support/archives.ts";
import { detectArchiveFormat, extractArchive } from "./extract_archive.ts";
import { FetchError } from "./fetch_error.ts";

const big = new Uint8Array(300_000).map((_, i) => (i * 7) % 251);
const entries = { "root/a.txt": "alpha", "root/sub/b.bin": big, "root/empty.txt": "" };

async function withArchive(bytes: Uint8Array, fn: (archive: string, out: string) => Promise<void>) {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeFile(`${dir}/archive`, bytes);
    await fn(`${dir}/archive`, `${dir}/out`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function assertExtracted(out: string) {
  assert.equal(await Deno.readTextFile(`${out}/root/a.txt`), "alpha");
  assert.deepEqual(await Deno.readFile(`${out}/root/sub/b.bin`), big);
  assert.equal((await Deno.stat(`${out}/root/empty.txt`)).size, 0);
}

Deno.test("extractArchive() unpacks stored and deflated zip entries", async () => {
  await withArchive(makeZip(entries, { stored: ["root/a.txt"] }), async (archive, out) => {
    assert.equal(await detectArchiveFormat(archive), "zip");
    const result = await extractArchive(archive, out);
    assert.deepEqual({ ...result, bytes: 0 }, { format: "zip", files: 3, bytes: 0, skipped: [] });
    await assertExtracted(out);
  });
});

Deno.test("extractArchive() unpacks tar.gz and skips symbolic links", async () => {
  const tgz = await makeTarGz(entries, { symlinks: { "root/passwd": "/etc/passwd" } });
  await withArchive(tgz, async (archive, out) => {
    const result = await extractArchive(archive, out, { format: "auto" });
    assert.equal(result.format, "tar.gz");
    assert.equal(result.files, 3);
    assert.deepEqual(result.skipped, ["root/passwd"]);
    await assertExtracted(out);
    await assert.rejects(() => Deno.lstat(`${out}/root/passwd`), Deno.errors.NotFound);
  });
});

Deno.test("extractArchive() rejects a zip whose entry escapes the output directory, writing nothing", async () => {
  const zip = makeZip({ "ok.txt": "fine", "../evil.txt": "gotcha" });
  await withArchive(zip, async (archive, out) => {
    await assert.rejects(
      () => extractArchive(archive, out),
      (e: Error) =>
        e instanceof FetchError && e.kind === "archive" &&
        e.message.includes(
          `has an entry that escapes the output directory: "../evil.txt"; nothing was extracted`,
        ),
    );
    await assert.rejects(() => Deno.stat(`${out}/ok.txt`), Deno.errors.NotFound);
    await assert.rejects(() => Deno.stat(`${out}/../evil.txt`), Deno.errors.NotFound);
  });
});

Deno.test("extractArchive() rejects a tar.gz whose entry escapes the output directory", async () => {
  const tgz = await makeTarGz({ "../../evil.txt": "gotcha" });
  await withArchive(tgz, async (archive, out) => {
    await assert.rejects(
      () => extractArchive(archive, out),
      /escapes the output directory: "\.\.\/\.\.\/evil\.txt"/,
    );
  });
});

Deno.test("extractArchive() reports corrupt and unknown archives", async () => {
  const zip = makeZip({ "a.bin": big }, { stored: ["a.bin"] });
  zip[100] = zip[100]! ^ 0xff; // inside the stored data
  await withArchive(zip, async (archive, out) => {
    await assert.rejects(() => extractArchive(archive, out), /"a\.bin" fails its CRC-32 check/);
  });
  await withArchive(new TextEncoder().encode("just text"), async (archive, out) => {
    assert.equal(await detectArchiveFormat(archive), null);
    await assert.rejects(
      () => extractArchive(archive, out),
      /is not a zip, tar\.gz or tar archive/,
    );
  });
  await withArchive(makeZip(entries).subarray(0, 50), async (archive, out) => {
    await assert.rejects(
      () => extractArchive(archive, out, { format: "zip" }),
      /Malformed zip .*End of central directory not found/,
    );
  });
});

Deno.test("extractArchive() stops a zip bomb by its declared sizes, writing nothing", async () => {
  // 10 MB of zeros deflate to ~10 KB: a ratio of ~1000.
  const zip = makeZip({ "zeros.bin": new Uint8Array(10_000_000) });
  await withArchive(zip, async (archive, out) => {
    await assert.rejects(
      () => extractArchive(archive, out),
      (e: Error) =>
        e instanceof FetchError && e.kind === "limit" &&
        /declares more than 200 times its own size .*: a zip bomb\?; set DROPLINE_MAX_EXTRACT_RATIO to raise the limit$/
          .test(e.message),
    );
    assert.deepEqual([...Deno.readDirSync(out)], []);
    const limits = { maxBytes: 1e12, maxEntries: 10, maxRatio: 2000 };
    const result = await extractArchive(archive, out, { limits });
    assert.equal(result.bytes, 10_000_000);
  });
});

Deno.test("extractArchive() counts bytes and entries of a tar.gz as it streams", async () => {
  const tgz = await makeTarGz({ "a.bin": new Uint8Array(2_000_000), "b.txt": "b", "c.txt": "c" });
  await withArchive(tgz, async (archive, out) => {
    const limits = { maxBytes: 1e12, maxEntries: 1e6, maxRatio: 200 };
    await assert.rejects(
      () => extractArchive(archive, out, { limits }),
      /expands to more than 200 times its own size/,
    );
    await assert.rejects(
      () => extractArchive(archive, out, { limits: { ...limits, maxRatio: 1e6, maxEntries: 2 } }),
      /has more than 2 entries; set DROPLINE_MAX_EXTRACT_ENTRIES/,
    );
    await assert.rejects(
      () => extractArchive(archive, out, { limits: { ...limits, maxRatio: 1e6, maxBytes: 1000 } }),
      /expands to more than 1000 bytes; set DROPLINE_MAX_EXTRACT_BYTES/,
    );
  });
});

Deno.test("extractArchive() skips zip symbolic links", async () => {
  const { zipSync } = await import("fflate");
  const link = zipSync({
    "root/a.txt": new TextEncoder().encode("alpha"),
    // Unix mode 0o120777 (a symbolic link) in the upper 16 bits of the external attributes.
    "root/passwd": [new TextEncoder().encode("/etc/passwd"), { os: 3, attrs: 0o120777 << 16 }],
  });
  await withArchive(link, async (archive, out) => {
    const result = await extractArchive(archive, out);
    assert.deepEqual(result.skipped, ["root/passwd"]);
    await assert.rejects(() => Deno.lstat(`${out}/root/passwd`), Deno.errors.NotFound);
  });
});
