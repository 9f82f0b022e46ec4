/**
 * Builds zip and tar.gz archives in memory from `{ path: bytes }` maps, for
 * tests of downloads and extraction. Entry names are used verbatim, so a test
 * can build a hostile archive (`"../evil.txt"`).
 *
 * @example
 * ```ts
 * import { makeTarGz, makeZip } from "./archives.ts";
 *
 * const zip = makeZip({ "PACS/photo/dog/0.png": png });
 * const tgz = await makeTarGz({ "data/a.txt": "hello" });
 * ```
 * @module
 */
import { zipSync } from "fflate";

/** Archive contents: entry name to bytes or text. */
export type Entries = Record<string, Uint8Array | string>;

function bytesOf(body: Uint8Array | string): Uint8Array {
  return typeof body === "string" ? new TextEncoder().encode(body) : body;
}

/**
 * A zip of the entries, deflated except those listed in `stored`.
 *
 * @example
 * ```ts
 * const zip = makeZip({ "a.txt": "x", "b.bin": bytes }, { stored: ["b.bin"] });
 * ```
 */
export function makeZip(entries: Entries, options: { stored?: string[] } = {}): Uint8Array {
  const input: Record<string, [Uint8Array, { level: 0 | 6 }]> = {};
  for (const [name, body] of Object.entries(entries)) {
    input[name] = [bytesOf(body), { level: options.stored?.includes(name) ? 0 : 6 }];
  }
  return zipSync(input);
}

/**
 * A gzip-compressed ustar archive of the entries (regular files; names up to
 * 100 bytes, or a directory prefix plus name). A `symlinks` map adds links.
 *
 * @example
 * ```ts
 * const tgz = await makeTarGz({ "root/x.txt": "x" }, { symlinks: { "root/link": "/etc/passwd" } });
 * ```
 */
export async function makeTarGz(
  entries: Entries,
  options: { symlinks?: Record<string, string> } = {},
): Promise<Uint8Array> {
  const blocks: Uint8Array[] = [];
  for (const [name, body] of Object.entries(entries)) {
    const data = bytesOf(body);
    blocks.push(
      tarHeader(name, data.length, "0", ""),
      data,
      new Uint8Array((512 - (data.length % 512)) % 512),
    );
  }
  for (const [name, target] of Object.entries(options.symlinks ?? {})) {
    blocks.push(tarHeader(name, 0, "2", target));
  }
  blocks.push(new Uint8Array(1024));
  const tar = new Uint8Array(await new Blob(blocks as BlobPart[]).arrayBuffer());
  const gzipped = new Blob([tar]).stream().pipeThrough(new CompressionStream("gzip"));
  return new Uint8Array(await new Response(gzipped).arrayBuffer());
}

function tarHeader(name: string, size: number, flag: string, link: string): Uint8Array {
  const block = new Uint8Array(512);
  const put = (at: number, length: number, text: string) =>
    block.set(new TextEncoder().encode(text).subarray(0, length), at);
  const octal = (value: number, length: number) => value.toString(8).padStart(length - 1, "0");
  const slash = name.length > 100 ? name.lastIndexOf("/", name.length - 1) : -1;
  put(0, 100, slash > 0 ? name.slice(slash + 1) : name);
  if (slash > 0) put(345, 155, name.slice(0, slash));
  put(100, 8, octal(0o644, 8));
  put(108, 8, octal(0, 8));
  put(116, 8, octal(0, 8));
  put(124, 12, octal(size, 12));
  put(136, 12, octal(0, 12));
  put(148, 8, "        ");
  put(156, 1, flag);
  put(157, 100, link);
  put(257, 6, "ustar\0");
  put(263, 2, "00");
  const sum = block.reduce((a, b) => a + b, 0);
  put(148, 8, `${octal(sum, 7)}\0`);
  return block;
}
