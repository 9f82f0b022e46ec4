/**
 * A loopback HTTP/1.1 server for tests that serves files from memory, with
 * faults on demand: drop the connection part-way through a body, answer an
 * error status a number of times, ignore Range requests. Every request is
 * recorded, so a test can assert what the client asked for.
 *
 * Written on raw TCP (not `Deno.serve`) so a dropped connection is a real
 * half-sent response, as a flaky network produces.
 *
 * @example
 * ```ts
 * import { serveFiles } from "./file_server.ts";
 *
 * await using server = serveFiles({ "data.zip": zipBytes }, { dropAfter: { "data.zip": { bytes: 1000 } } });
 * await fetchFile(`${server.url}data.zip`, dest); // first response drops, the retry resumes with Range
 * console.log(server.requests.map((r) => r.range));
 * ```
 * @module
 */

import { respond } from "./_http_response.ts";

/** One request the server received. */
export interface RecordedRequest {
  method: string;
  /** Path without the leading slash, decoded, query removed. */
  path: string;
  /** The Range header, if any. */
  range?: string;
  headers: Record<string, string>;
}

/** Options of {@link serveFiles}. */
export interface FileServerOptions {
  /** Honour Range requests with 206; default true. */
  range?: boolean;
  /** Per path: send only this many body bytes then close, for the first `times` requests (default 1). */
  dropAfter?: Record<string, { bytes: number; times?: number }>;
  /** Per path: answer `status` for the first `times` requests (default 1). */
  fail?: Record<string, { status: number; times?: number }>;
}

/** A running {@link serveFiles} server. */
export interface FileServer extends AsyncDisposable {
  /** Base URL ending with "/", e.g. `http://127.0.0.1:41234/`. */
  url: string;
  /** The files served, by path; change them between requests to serve other bytes. */
  files: Map<string, Uint8Array>;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

/**
 * Starts a server on 127.0.0.1 (a free port) serving `files` by path.
 * Unknown paths get 404. Close it (or use `await using`) when done.
 *
 * @example
 * ```ts
 * const server = serveFiles({ "model/model.json": JSON.stringify(modelJson) });
 * const url = `${server.url}model/model.json`;
 * await server.close();
 * ```
 */
export function serveFiles(
  files: Record<string, Uint8Array | string>,
  options: FileServerOptions = {},
): FileServer {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const served = new Map(
    Object.entries(files).map((
      [path, body],
    ) => [path, typeof body === "string" ? new TextEncoder().encode(body) : body]),
  );
  const requests: RecordedRequest[] = [];
  const connections = new Set<Deno.Conn>();
  const counts = new Map<string, number>();
  const handle = async (conn: Deno.Conn) => {
    connections.add(conn);
    try {
      const request = await readRequest(conn);
      if (!request) return;
      requests.push(request);
      const seen = (counts.get(request.path) ?? 0) + 1;
      counts.set(request.path, seen);
      await respond(conn, request, served.get(request.path), seen, options);
    } catch {
      // The client went away; nothing to do.
    } finally {
      connections.delete(conn);
      try {
        conn.close();
      } catch {
        // Already closed.
      }
    }
  };
  const handlers = new Set<Promise<void>>();
  const loop = (async () => {
    for await (const conn of listener) {
      const task = handle(conn);
      handlers.add(task);
      task.finally(() => handlers.delete(task));
    }
  })().catch(() => {});
  const { port } = listener.addr as Deno.NetAddr;
  const close = async () => {
    listener.close();
    for (const conn of connections) conn.close();
    await loop;
    await Promise.all(handlers);
  };
  return {
    url: `http://127.0.0.1:${port}/`,
    files: served,
    requests,
    close,
    [Symbol.asyncDispose]: close,
  };
}

async function readRequest(conn: Deno.Conn): Promise<RecordedRequest | null> {
  const buffer = new Uint8Array(64 * 1024);
  let length = 0;
  let text = "";
  while (!text.includes("\r\n\r\n")) {
    const n = await conn.read(buffer.subarray(length));
    if (n === null) return null;
    length += n;
    text = new TextDecoder().decode(buffer.subarray(0, length));
  }
  const [line = "", ...lines] = text.slice(0, text.indexOf("\r\n\r\n")).split("\r\n");
  const [method = "GET", target = "/"] = line.split(" ");
  const headers: Record<string, string> = {};
  for (const header of lines) {
    const colon = header.indexOf(":");
    headers[header.slice(0, colon).trim().toLowerCase()] = header.slice(colon + 1).trim();
  }
  const path = decodeURIComponent(target.split("?")[0]!.replace(/^\//, ""));
  return { method, path, headers, ...(headers.range ? { range: headers.range } : {}) };
}
