import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { TaskError } from "@dropline/task";
import { makeZip } from "../../tests/support/archives.ts";
import { serveFiles } from "../../tests/support/file_server.ts";
import { makePacsZip } from "../../tests/support/pacs_fixture.ts";
import { runTask } from "../../tests/support/test_context.ts";
import download from "./mod.ts";

const { zip, images } = await makePacsZip({
  domains: ["photo", "sketch"],
  classes: ["dog", "horse"],
  perClass: 2,
});
const zipSha = createHash("sha256").update(zip).digest("hex");

Deno.test("download extracts a served PACS zip and reports byte progress", async () => {
  await using server = serveFiles({ "PACS.zip": zip });
  await using run = await runTask(download, {
    url: `${server.url}PACS.zip`,
    extract: "zip",
    sha256: zipSha,
  });
  for (const image of images) {
    assert.ok((await Deno.stat(`${run.outDir}/${image.path}`)).size > 0, image.path);
  }
  assert.deepEqual([...Deno.readDirSync(run.outDir)].map((e) => e.name), ["PACS"]);
  const bytes = run.progress.filter((p) => p.unit === "bytes").at(-1);
  assert.deepEqual([bytes?.done, bytes?.total], [zip.length, zip.length]);
  assert.match(bytes?.note ?? "", /\/s/);
  assert.ok(run.infos.some((line) => line.includes(`sha256 ${zipSha}`)));
});

Deno.test("download resumes after the server drops the connection mid-file", async () => {
  await using server = serveFiles({ "PACS.zip": zip }, {
    dropAfter: { "PACS.zip": { bytes: Math.floor(zip.length / 2) } },
  });
  await using run = await runTask(download, {
    url: `${server.url}PACS.zip`,
    sha256: zipSha,
    retry_delay: 0.001,
  });
  assert.deepEqual(await Deno.readFile(`${run.outDir}/PACS.zip`), zip);
  assert.equal(server.requests.length, 2);
  assert.match(server.requests[1]!.range ?? "", /^bytes=[1-9]\d*-$/);
  assert.equal(run.warnings.length, 1);
  assert.match(run.warnings[0]!, /Attempt 1 failed .*retrying/);
});

Deno.test("download resumes in a later run from the partial file kept in the checkpoint dir", async () => {
  const half = Math.floor(zip.length / 2);
  await using server = serveFiles({ "PACS.zip": zip }, {
    dropAfter: { "PACS.zip": { bytes: half } },
  });
  const checkpointDir = await Deno.makeTempDir();
  try {
    const params = { url: `${server.url}PACS.zip`, sha256: zipSha, retries: 0 };
    await assert.rejects(() => runTask(download, params, { checkpointDir }), TaskError);
    assert.ok((await Deno.stat(`${checkpointDir}/PACS.zip.part`)).size > 0);
    await using run = await runTask(download, params, { checkpointDir });
    assert.deepEqual(await Deno.readFile(`${run.outDir}/PACS.zip`), zip);
    assert.match(server.requests[1]!.range ?? "", /^bytes=[1-9]\d*-$/);
    assert.ok(run.infos.some((line) => line.startsWith("Resumed a partial download")));
  } finally {
    await Deno.remove(checkpointDir, { recursive: true });
  }
});

Deno.test("download fails with a clear error on a checksum mismatch", async () => {
  await using server = serveFiles({ "PACS.zip": zip });
  const wrong = "0".repeat(64);
  await assert.rejects(
    () => runTask(download, { url: `${server.url}PACS.zip`, sha256: wrong }),
    (e: Error) =>
      e instanceof TaskError && e.message.includes(`expected sha256 ${wrong}, got ${zipSha}`),
  );
});

Deno.test("download verifies an md5 for sources that publish only that", async () => {
  await using server = serveFiles({ "PACS.zip": zip });
  const md5 = createHash("md5").update(zip).digest("hex");
  const run = await runTask(download, { url: `${server.url}PACS.zip`, md5 });
  assert.ok(run.infos.some((line) => line.includes(`md5 ${md5}`)));
  const wrong = "f".repeat(32);
  await assert.rejects(
    () => runTask(download, { url: `${server.url}PACS.zip`, md5: wrong }),
    (e: Error) => e instanceof TaskError && e.message.includes(`expected md5 ${wrong}, got ${md5}`),
  );
});

Deno.test("download refuses a zip with an entry escaping the output directory", async () => {
  await using server = serveFiles({
    "evil.zip": makeZip({ "a.txt": "a", "../../outside.txt": "x" }),
  });
  await assert.rejects(
    () => runTask(download, { url: `${server.url}evil.zip`, extract: "auto" }),
    (e: Error) =>
      e instanceof TaskError &&
      /escapes the output directory: "\.\.\/\.\.\/outside\.txt"/.test(e.message),
  );
});

Deno.test("download copies a local path (relative to the pipeline), keeps the archive on request and keys on the file", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeFile(`${dir}/PACS.zip`, zip);
    const params = download.schema.parse({
      url: `${dir}/PACS.zip`,
      extract: "zip",
      keep_archive: true,
    });
    assert.deepEqual(download.outputs(params), ["PACS.zip"]);
    assert.deepEqual(download.inputFiles?.(params), [`${dir}/PACS.zip`]);
    await using run = await runTask(download, {
      url: `file://${dir}/PACS.zip`,
      extract: "zip",
      keep_archive: true,
    });
    assert.deepEqual(await Deno.readFile(`${run.outDir}/PACS.zip`), zip);
    assert.ok((await Deno.stat(`${run.outDir}/${images[0]!.path}`)).isFile);
    await using relative = await runTask(download, { url: "PACS.zip" }, { workDir: dir });
    assert.deepEqual(await Deno.readFile(`${relative.outDir}/PACS.zip`), zip);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("download reuses an archive fetched by an interrupted attempt", async () => {
  await using server = serveFiles({ "PACS.zip": zip });
  const checkpointDir = await Deno.makeTempDir();
  try {
    const url = `${server.url}PACS.zip`;
    await (await runTask(download, { url, extract: "zip" }, { checkpointDir })).cleanup();
    await Deno.writeTextFile(
      `${checkpointDir}/PACS.zip.fetched`,
      JSON.stringify({ url, sha256: zipSha }),
    );
    await Deno.writeFile(`${checkpointDir}/PACS.zip`, zip);
    await using again = await runTask(download, { url, extract: "zip" }, { checkpointDir });
    assert.equal(server.requests.length, 1);
    assert.ok(
      again.infos.some((line) => line.startsWith(`Reusing "PACS.zip"`)),
      again.infos.join("\n"),
    );
  } finally {
    await Deno.remove(checkpointDir, { recursive: true });
  }
});

/** The messages of the schema's issues with `input`, one per line. */
function schemaMessages(input: Record<string, unknown>): string | undefined {
  return download.schema.safeParse(input).error?.issues.map((i) => i.message).join("\n");
}

Deno.test("download's schema rejects a bad checksum, a file name with directories and other schemes", () => {
  assert.throws(() => download.schema.parse({ url: "x", sha256: "abc" }), /64 hex digits/);
  for (const filename of ["a/b.zip", "..", ".", "a\\b"]) {
    assert.throws(() => download.schema.parse({ url: "x", filename }), /without directories/);
  }
  assert.equal(
    schemaMessages({ url: "ftp://127.0.0.1/x.zip" }),
    'Unsupported URL scheme "ftp:": use http(s), file or a path',
  );
  assert.deepEqual(download.inputFiles?.(download.schema.parse({ url: "http://h/x.zip" })), []);
});

Deno.test("download never lets a URL's encoded last segment name a path outside its output", async () => {
  const url = "http://127.0.0.1:9/any/..%2F..%2F..%2FPWNED.zip";
  assert.equal(
    schemaMessages({ url }),
    'The URL\'s last segment decodes to "../../../PWNED.zip", which is not a file name: give `filename`',
  );
  const named = download.schema.parse({ url, filename: "pwned.zip" });
  assert.deepEqual(download.outputs(named), ["pwned.zip"]);
  await using server = serveFiles({ "any/../../../PWNED.zip": zip });
  await using run = await runTask(download, {
    url: `${server.url}any/..%2F..%2F..%2FPWNED.zip`,
    filename: "pwned.zip",
  });
  assert.deepEqual([...Deno.readDirSync(run.outDir)].map((e) => e.name), ["pwned.zip"]);
});

Deno.test("download discards an archive that will not extract and no checksum vouched for, so the next run fetches it again", async () => {
  await using server = serveFiles({ "data.zip": zip.subarray(0, zip.length - 30) });
  const checkpointDir = await Deno.makeTempDir();
  try {
    const params = { url: `${server.url}data.zip`, extract: "zip" };
    await assert.rejects(
      () => runTask(download, params, { checkpointDir }),
      /the archive was discarded: the next run fetches it again/,
    );
    server.files.set("data.zip", zip);
    await using run = await runTask(download, params, { checkpointDir });
    assert.equal(server.requests.length, 2, "fetched again");
    assert.ok((await Deno.stat(`${run.outDir}/${images[0]!.path}`)).isFile);
  } finally {
    await Deno.remove(checkpointDir, { recursive: true });
  }
});

Deno.test("download keeps the archive beside its entries, refusing an entry of the same name", async () => {
  const selfNamed = makeZip({ "self.zip": "XXXXXXXXXX" });
  await using server = serveFiles({ "PACS.zip": zip, "self.zip": selfNamed });
  await using kept = await runTask(download, {
    url: `${server.url}PACS.zip`,
    extract: "zip",
    keep_archive: true,
  });
  assert.deepEqual(await Deno.readFile(`${kept.outDir}/PACS.zip`), zip);
  await assert.rejects(
    () => runTask(download, { url: `${server.url}self.zip`, extract: "zip", keep_archive: true }),
    /holds an entry named "self\.zip", like the archive itself: give `filename` another name/,
  );
});

Deno.test("download's log and errors hide a password in the URL", async () => {
  await using server = serveFiles({});
  const url = server.url.replace("http://", "http://ada:s3cret@") + "missing.zip";
  let logged = "";
  await assert.rejects(
    async () => {
      try {
        await runTask(download, { url, retries: 0 });
      } catch (error) {
        logged = (error as Error).message;
        throw error;
      }
    },
    TaskError,
  );
  assert.doesNotMatch(logged, /s3cret/);
  assert.match(logged, /ada:\*\*\*@/);
});
