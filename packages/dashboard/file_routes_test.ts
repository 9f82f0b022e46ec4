import assert from "node:assert/strict";
import { createApp } from "./app.ts";
import { writeDemoCache } from "./_fixture.ts";

async function demo() {
  const cacheDir = await Deno.makeTempDir();
  writeDemoCache(cacheDir).close();
  const secret = await Deno.makeTempFile({ suffix: ".secret" });
  await Deno.writeTextFile(secret, "TOP SECRET");
  await Deno.symlink(secret, `${cacheDir}/objects/ab/make/escape.txt`);
  await Deno.symlink("/etc", `${cacheDir}/objects/etc-link`);
  return { cacheDir, secret, app: createApp({ cacheDir }) };
}

Deno.test("GET /files serves a store file with its type, sandboxed", async () => {
  const { app } = await demo();
  const response = await app.request("/files/objects/ab/make/sub/deep.json");
  assert.equal(response.status, 200);
  assert.equal(await response.text(), '{"x":1}');
  assert.equal(response.headers.get("Content-Type"), "application/json");
  assert.match(response.headers.get("Content-Security-Policy") ?? "", /^sandbox/);
  assert.equal(response.headers.get("Content-Disposition"), null);
  const download = await app.request("/files/objects/ab/make/n.txt?download=1");
  assert.equal(download.headers.get("Content-Disposition"), "attachment; filename*=UTF-8''n.txt");
  assert.equal(await download.text(), "3\n");
  const log = await app.request("/files/logs/20261123T175300Z-aaaaaa/make.log");
  assert.equal(log.headers.get("Content-Type"), "text/plain; charset=utf-8");
  await log.body?.cancel();
});

Deno.test("GET /files rejects traversal, encoded traversal, absolute paths and escaping links", async () => {
  const { app, secret } = await demo();
  const attempts = [
    "/files/objects/../journal.db",
    "/files/objects/%2e%2e/journal.db",
    "/files/objects/%2E%2E%2Fjournal.db",
    "/files/objects/ab/..%2f..%2fjournal.db",
    "/files/objects/ab/%2e%2e%2f%2e%2e%2fjournal.db",
    "/files/objects/%252e%252e/journal.db",
    "/files/objects/ab/make/..%5c..%5cjournal.db",
    "/files/journal.db",
    "/files/logs/",
    "/files//etc/passwd",
    "/files/objects//etc/passwd",
    "/files/objects/%2Fetc%2Fpasswd",
    `/files/objects/${encodeURIComponent(secret)}`,
    "/files/%2Fetc/passwd",
    "/files/objects/ab/make/escape.txt",
    "/files/objects/etc-link/passwd",
    "/files/objects/ab/make/n.txt%00.png",
    "/files/objects/%E0%A4%A",
    "/files/objects/ab/make",
  ];
  for (const path of attempts) {
    const response = await app.request(path);
    const body = await response.text();
    assert.ok([400, 404].includes(response.status), `${path} answered ${response.status}`);
    assert.ok(!body.includes("TOP SECRET") && !body.includes("root:"), `${path} leaked`);
    assert.ok(!body.includes("SQLite format"), `${path} leaked the journal`);
  }
});
