import { FetchError } from "./fetch_error.ts";
import { decompressor, rangeStream, readAt } from "./_file_range.ts";

/** One entry of a zip file's central directory. */
export interface ZipEntry {
  name: string;
  method: number;
  compressedSize: number;
  size: number;
  crc: number;
  localHeaderOffset: number;
  isDirectory: boolean;
  isSymlink: boolean;
}

const EOCD = 0x06054b50;
const ZIP64_LOCATOR = 0x07064b50;
const ZIP64_EOCD = 0x06064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;

function bad(path: string, why: string): FetchError {
  return new FetchError("archive", `Malformed zip "${path}": ${why}`);
}

/** Reads the central directory (zip64 included) of an open zip file. */
export async function listZip(file: Deno.FsFile, path: string): Promise<ZipEntry[]> {
  const size = (await file.stat()).size;
  const tailLength = Math.min(size, 22 + 0xffff);
  const tail = await readAt(file, size - tailLength, tailLength);
  const view = new DataView(tail.buffer, tail.byteOffset, tail.byteLength);
  let at = tail.length - 22;
  while (at >= 0 && view.getUint32(at, true) !== EOCD) at--;
  if (at < 0) throw bad(path, "no end of central directory record");
  let count = view.getUint16(at + 10, true);
  let cdSize = view.getUint32(at + 12, true);
  let cdOffset = view.getUint32(at + 16, true);
  if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
    ({ count, cdSize, cdOffset } = await readZip64End(file, view, at, path));
  }
  const cd = await readAt(file, cdOffset, cdSize);
  if (cd.length < cdSize) throw bad(path, "truncated central directory");
  return parseCentral(cd, count, path);
}

async function readZip64End(
  file: Deno.FsFile,
  tail: DataView,
  eocdAt: number,
  path: string,
): Promise<{ count: number; cdSize: number; cdOffset: number }> {
  const locatorAt = eocdAt - 20;
  if (locatorAt < 0 || tail.getUint32(locatorAt, true) !== ZIP64_LOCATOR) {
    throw bad(path, "zip64 locator missing");
  }
  const recordOffset = Number(tail.getBigUint64(locatorAt + 8, true));
  const record = await readAt(file, recordOffset, 56);
  const view = new DataView(record.buffer, record.byteOffset, record.byteLength);
  if (record.length < 56 || view.getUint32(0, true) !== ZIP64_EOCD) {
    throw bad(path, "zip64 end record missing");
  }
  return {
    count: Number(view.getBigUint64(32, true)),
    cdSize: Number(view.getBigUint64(40, true)),
    cdOffset: Number(view.getBigUint64(48, true)),
  };
}

function parseCentral(cd: Uint8Array, count: number, path: string): ZipEntry[] {
  const view = new DataView(cd.buffer, cd.byteOffset, cd.byteLength);
  const entries: ZipEntry[] = [];
  let at = 0;
  for (let i = 0; i < count; i++) {
    if (at + 46 > cd.length || view.getUint32(at, true) !== CENTRAL) {
      throw bad(path, `central directory entry ${i} is damaged`);
    }
    const flags = view.getUint16(at + 8, true);
    const nameLength = view.getUint16(at + 28, true);
    const extraLength = view.getUint16(at + 30, true);
    const commentLength = view.getUint16(at + 32, true);
    const name = new TextDecoder().decode(cd.subarray(at + 46, at + 46 + nameLength));
    if (flags & 1) throw bad(path, `entry "${name}" is encrypted`);
    const extra = cd.subarray(at + 46 + nameLength, at + 46 + nameLength + extraLength);
    const sizes = zip64Sizes(extra, {
      size: view.getUint32(at + 24, true),
      compressedSize: view.getUint32(at + 20, true),
      localHeaderOffset: view.getUint32(at + 42, true),
    });
    const unixMode = view.getUint32(at + 38, true) >>> 16;
    entries.push({
      name,
      method: view.getUint16(at + 10, true),
      crc: view.getUint32(at + 16, true),
      ...sizes,
      isDirectory: name.endsWith("/") || name.endsWith("\\"),
      isSymlink: (unixMode & 0o170000) === 0o120000,
    });
    at += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

type Sizes = { size: number; compressedSize: number; localHeaderOffset: number };

/** Replaces 0xffffffff fields with their zip64 extra-field values, in the spec's order. */
function zip64Sizes(extra: Uint8Array, sizes: Sizes): Sizes {
  const view = new DataView(extra.buffer, extra.byteOffset, extra.byteLength);
  for (let at = 0; at + 4 <= extra.length;) {
    const id = view.getUint16(at, true);
    const length = view.getUint16(at + 2, true);
    if (id === 0x0001) {
      let field = at + 4;
      const out = { ...sizes };
      for (const key of ["size", "compressedSize", "localHeaderOffset"] as const) {
        if (sizes[key] !== 0xffffffff || field + 8 > at + 4 + length) continue;
        out[key] = Number(view.getBigUint64(field, true));
        field += 8;
      }
      return out;
    }
    at += 4 + length;
  }
  return sizes;
}

/** The entry's uncompressed bytes as a stream (stored or deflated entries). */
export async function zipEntryStream(
  file: Deno.FsFile,
  entry: ZipEntry,
  path: string,
): Promise<ReadableStream<Uint8Array>> {
  const header = await readAt(file, entry.localHeaderOffset, 30);
  const view = new DataView(header.buffer, header.byteOffset, header.byteLength);
  if (header.length < 30 || view.getUint32(0, true) !== LOCAL) {
    throw bad(path, `local header of "${entry.name}" is missing`);
  }
  const dataAt = entry.localHeaderOffset + 30 + view.getUint16(26, true) + view.getUint16(28, true);
  const raw = rangeStream(file, dataAt, entry.compressedSize);
  if (entry.method === 0) return raw;
  if (entry.method === 8) return raw.pipeThrough(decompressor("deflate-raw"));
  throw bad(path, `entry "${entry.name}" uses unsupported compression method ${entry.method}`);
}
