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
      /Malformed zip .*no end of central directory/,
    );
  });
});
