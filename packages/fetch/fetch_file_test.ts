import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { serveFiles } from "../../tests/support/file_server.ts";
import { fetchFile, resolveSource } from "./fetch_file.ts";
import { FetchError } from "./fetch_error.ts";
import { classifyFailure } from "./_classify.ts";
import { unreachable } from "./_http_download.ts";

const body = new Uint8Array(200_000).map((_, i) => (i * 13) % 256);
const sha = createHash("sha256").update(body).digest("hex");
const fast = { retryDelayMs: 1 };

async function inTemp(fn: (dir: string) => Promise<void>) {
  const dir = await Deno.makeTempDir();
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("fetchFile() downloads over HTTP with progress and checks the sha256", async () => {
  await using server = serveFiles({ "data.bin": body });
  await inTemp(async (dir) => {
    const seen: { done: number; total?: number }[] = [];
    const result = await fetchFile(`${server.url}data.bin`, `${dir}/out/data.bin`, {
      ...fast,
      sha256: sha.toUpperCase(),
      onProgress: (p) => seen.push(p),
    });
    assert.deepEqual(await Deno.readFile(`${dir}/out/data.bin`), body);
    assert.equal(result.sha256, sha);
    assert.equal(result.bytes, body.length);
    assert.deepEqual(seen.at(-1), { ...seen.at(-1), done: body.length, total: body.length });
    await assert.rejects(() => Deno.stat(`${dir}/out/data.bin.part`), Deno.errors.NotFound);
  });
});

Deno.test("fetchFile() resumes with a Range request after the connection drops mid-file", async () => {
  await using server = serveFiles({ "data.bin": body }, {
    dropAfter: { "data.bin": { bytes: 70_000 } },
  });
  await inTemp(async (dir) => {
    const retries: string[] = [];
    const result = await fetchFile(`${server.url}data.bin`, `${dir}/data.bin`, {
      ...fast,
      sha256: sha,
      onRetry: (_, reason) => retries.push(reason),
    });
    assert.deepEqual(await Deno.readFile(`${dir}/data.bin`), body);
    assert.equal(retries.length, 1);
    assert.equal(server.requests.length, 2);
    assert.equal(server.requests[0]!.range, undefined);
    const resumedAt = Number(/^bytes=(\d+)-$/.exec(server.requests[1]!.range ?? "")?.[1]);
    assert.ok(resumedAt > 0 && resumedAt <= 70_000, `resumed at ${server.requests[1]!.range}`);
    assert.equal(result.attempts, 2);
  });
});

Deno.test("fetchFile() keeps a partial file across calls and resumes it later", async () => {
  await using server = serveFiles({ "data.bin": body }, {
    dropAfter: { "data.bin": { bytes: 50_000 } },
  });
  await inTemp(async (dir) => {
    const options = { ...fast, partialPath: `${dir}/checkpoint/data.bin.part`, retries: 0 };
    await assert.rejects(
      () => fetchFile(`${server.url}data.bin`, `${dir}/out/data.bin`, options),
      /after 1 attempts/,
    );
    assert.ok((await Deno.stat(options.partialPath)).size > 0);
    const result = await fetchFile(`${server.url}data.bin`, `${dir}/out/data.bin`, options);
    assert.ok(result.resumedFrom > 0);
    assert.deepEqual(await Deno.readFile(`${dir}/out/data.bin`), body);
  });
});

Deno.test("fetchFile() starts over when the server ignores Range", async () => {
  await using server = serveFiles({ "data.bin": body }, {
    range: false,
    dropAfter: { "data.bin": { bytes: 10_000 } },
  });
  await inTemp(async (dir) => {
    await fetchFile(`${server.url}data.bin`, `${dir}/data.bin`, { ...fast, sha256: sha });
    assert.deepEqual(await Deno.readFile(`${dir}/data.bin`), body);
  });
});

Deno.test("fetchFile() discards the bytes when the sha256 does not match", async () => {
  const wrong = body.slice();
  wrong[5] = wrong[5]! ^ 1;
  await using server = serveFiles({ "data.bin": wrong });
  await inTemp(async (dir) => {
    await assert.rejects(
      () =>
        fetchFile(`${server.url}data.bin`, `${dir}/data.bin`, {
          ...fast,
          sha256: sha,
          partialPath: `${dir}/p`,
        }),
      (e: Error) =>
        e instanceof FetchError && e.kind === "checksum" &&
        e.message.includes(`expected sha256 ${sha}, got `) &&
        e.message.endsWith("the downloaded bytes were discarded"),
    );
    assert.deepEqual([...Deno.readDirSync(dir)], []);
  });
});

Deno.test("fetchFile() fails fast on 404 and retries server errors", async () => {
  await using server = serveFiles({ "data.bin": body }, {
    fail: { "data.bin": { status: 503, times: 2 } },
  });
  await inTemp(async (dir) => {
    await assert.rejects(
      () => fetchFile(`${server.url}missing.bin`, `${dir}/m`, fast),
      (e: Error) =>
        e instanceof FetchError && e.kind === "not-found" &&
        /answered HTTP 404 Not Found/.test(e.message),
    );
    assert.equal(server.requests.length, 1);
    const result = await fetchFile(`${server.url}data.bin`, `${dir}/data.bin`, fast);
    assert.equal(result.attempts, 3);
    const before = server.requests.length;
    server.files.delete("data.bin");
    await assert.rejects(
      () => fetchFile(`${server.url}data.bin`, `${dir}/gone.bin`, fast),
      /HTTP 404/,
    );
    assert.equal(server.requests.length, before + 1);
  });
});

Deno.test("fetchFile() copies file URLs and plain paths, and names a missing file", async () => {
  await inTemp(async (dir) => {
    await Deno.writeFile(`${dir}/my data.bin`, body);
    const url = resolveSource(`${dir}/my data.bin`).href;
    assert.match(url, /^file:\/\/.*my%20data\.bin$/);
    await fetchFile(url, `${dir}/a/copy.bin`, { sha256: sha });
    assert.deepEqual(await Deno.readFile(`${dir}/a/copy.bin`), body);
    await fetchFile(`${dir}/my data.bin`, `${dir}/b/copy.bin`);
    assert.deepEqual(await Deno.readFile(`${dir}/b/copy.bin`), body);
    await assert.rejects(
      () => fetchFile(`${dir}/nope.bin`, `${dir}/c`),
      /Cannot find ".*nope\.bin"/,
    );
    assert.throws(() => resolveSource("ftp://host/x"), /Unsupported URL scheme "ftp:"/);
  });
});

Deno.test("classifyFailure() treats DNS and remote refusals as no network, loopback refusals as transient", () => {
  const error = (text: string) => new TypeError("fetch failed", { cause: new Error(text) });
  const remote = new URL("https://data.example.org/PACS.zip");
  const dns =
    "error sending request: client error (Connect): dns error: failed to lookup address information";
  assert.deepEqual(classifyFailure(error(dns), remote), {
    kind: "unreachable",
    reason: `cannot resolve host "data.example.org"`,
  });
  const refused = "tcp connect error: Connection refused (os error 111)";
  assert.equal(classifyFailure(error(refused), remote).kind, "unreachable");
  assert.equal(classifyFailure(error(refused), new URL("http://127.0.0.1:9/x")).kind, "transient");
  assert.equal(classifyFailure(error("connection reset by peer"), remote).kind, "transient");
  const message = unreachable(remote, "cannot resolve host").message;
  assert.match(message, /the network is unreachable/);
  assert.match(message, /--set params\.<name>=file:\/\/\/path\/to\/file/);
});

Deno.test("fetchFile() refuses a download larger than the limit before receiving it", async () => {
  await using server = serveFiles({ "data.bin": body });
  await inTemp(async (dir) => {
    await assert.rejects(
      () => fetchFile(`${server.url}data.bin`, `${dir}/data.bin`, { ...fast, maxBytes: 1000 }),
      (e: Error) =>
        e instanceof FetchError && e.kind === "limit" &&
        e.message ===
          `Cannot download "${server.url}data.bin": the server declares 200000 bytes, more than the limit of 1000 bytes; set DROPLINE_MAX_DOWNLOAD_BYTES to raise it`,
    );
    assert.equal(server.requests.length, 1, "not retried");
    await assert.rejects(() => Deno.stat(`${dir}/data.bin`), Deno.errors.NotFound);
  });
});

Deno.test("fetchFile() stops a download of no declared size once it passes the limit, saying how much came", async () => {
  const chunk = new Uint8Array(600);
  await using server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    () =>
      new Response(
        new ReadableStream({
          start(controller) {
            for (let i = 0; i < 5; i++) controller.enqueue(chunk);
            controller.close();
          },
        }),
      ),
  );
  const url = `http://127.0.0.1:${server.addr.port}/data.bin`;
  await inTemp(async (dir) => {
    await assert.rejects(
      () => fetchFile(url, `${dir}/data.bin`, { ...fast, maxBytes: 1000 }),
      (e: Error) => {
        assert.ok(e instanceof FetchError && e.kind === "limit");
        // Chunks may arrive merged: the count is of what came, past the limit.
        const sent =
          /the server sent (\d+) bytes so far, more than the limit of 1000 bytes; set DROPLINE_MAX_DOWNLOAD_BYTES/
            .exec(e.message)?.[1];
        assert.ok(Number(sent) > 1000 && Number(sent) <= 3000, e.message);
        return true;
      },
    );
  });
});
