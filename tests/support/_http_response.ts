import type { FileServerOptions, RecordedRequest } from "./file_server.ts";

const REASONS: Record<number, string> = {
  200: "OK",
  206: "Partial Content",
  404: "Not Found",
  416: "Range Not Satisfiable",
  500: "Internal Server Error",
  503: "Service Unavailable",
};

/** A weak but stable ETag from the body's length and a sample of its bytes. */
function etagOf(body: Uint8Array): string {
  let hash = 2166136261;
  for (let i = 0; i < body.length; i += Math.max(1, body.length >> 12)) {
    hash = Math.imul(hash ^ body[i]!, 16777619);
  }
  return `"${body.length.toString(16)}-${(hash >>> 0).toString(16)}"`;
}

async function writeAll(conn: Deno.Conn, bytes: Uint8Array): Promise<void> {
  let offset = 0;
  while (offset < bytes.length) offset += await conn.write(bytes.subarray(offset));
}

async function writeHead(
  conn: Deno.Conn,
  status: number,
  headers: Record<string, string | number>,
) {
  const lines = [`HTTP/1.1 ${status} ${REASONS[status] ?? "Status"}`, "connection: close"];
  for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
  await writeAll(conn, new TextEncoder().encode(lines.join("\r\n") + "\r\n\r\n"));
}

/** The byte range a request asks for, `null` for the whole body, `"invalid"` when unsatisfiable. */
function requestedRange(request: RecordedRequest, body: Uint8Array, etag: string) {
  const match = /^bytes=(\d+)-(\d*)$/.exec(request.range ?? "");
  if (!match) return null;
  const ifRange = request.headers["if-range"];
  if (ifRange && ifRange !== etag) return null;
  const start = Number(match[1]);
  const end = match[2] ? Math.min(Number(match[2]), body.length - 1) : body.length - 1;
  return start >= body.length || start > end ? "invalid" : { start, end };
}

/** Writes the response to one request, applying the configured faults. */
export async function respond(
  conn: Deno.Conn,
  request: RecordedRequest,
  body: Uint8Array | undefined,
  seen: number,
  options: FileServerOptions,
): Promise<void> {
  const fail = options.fail?.[request.path];
  if (fail && seen <= (fail.times ?? 1)) {
    return await writeHead(conn, fail.status, { "content-length": 0 });
  }
  if (!body) return await writeHead(conn, 404, { "content-length": 0 });
  const etag = etagOf(body);
  const range = options.range === false ? null : requestedRange(request, body, etag);
  if (range === "invalid") {
    return await writeHead(conn, 416, {
      "content-range": `bytes */${body.length}`,
      "content-length": 0,
    });
  }
  const part = range ? body.subarray(range.start, range.end + 1) : body;
  await writeHead(conn, range ? 206 : 200, {
    "content-length": part.length,
    "content-type": "application/octet-stream",
    "accept-ranges": options.range === false ? "none" : "bytes",
    etag,
    ...(range ? { "content-range": `bytes ${range.start}-${range.end}/${body.length}` } : {}),
  });
  if (request.method === "HEAD") return;
  const drop = options.dropAfter?.[request.path];
  const cut = drop && seen <= (drop.times ?? 1) ? Math.min(drop.bytes, part.length) : part.length;
  await writeAll(conn, part.subarray(0, cut));
}
