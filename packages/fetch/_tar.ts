import { FetchError } from "./fetch_error.ts";
import type { ByteReader } from "./_byte_reader.ts";

/** A tar header, after GNU long names and pax paths are applied. */
export interface TarEntry {
  name: string;
  size: number;
  kind: "file" | "directory" | "link" | "other";
}

const BLOCK = 512;

function bad(path: string, why: string): FetchError {
  return new FetchError("archive", `Malformed tar "${path}": ${why}`);
}

function text(bytes: Uint8Array): string {
  const end = bytes.indexOf(0);
  return new TextDecoder().decode(end < 0 ? bytes : bytes.subarray(0, end));
}

/** Octal (or GNU base-256 for large values) numeric field. */
function number(bytes: Uint8Array): number {
  if (bytes[0]! & 0x80) {
    let value = 0;
    for (let i = 1; i < bytes.length; i++) value = value * 256 + bytes[i]!;
    return value;
  }
  const digits = text(bytes).trim();
  return digits ? parseInt(digits, 8) : 0;
}

function checksumOk(block: Uint8Array): boolean {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : block[i]!;
  return sum === number(block.subarray(148, 156));
}

function kindOf(flag: string): TarEntry["kind"] {
  if (flag === "0" || flag === "\0" || flag === "" || flag === "7") return "file";
  if (flag === "5") return "directory";
  if (flag === "1" || flag === "2") return "link";
  return "other";
}

/** The `path` record of a pax extended header, if any. */
function paxPath(bytes: Uint8Array): string | undefined {
  for (const record of new TextDecoder().decode(bytes).split("\n")) {
    const match = /^\d+ path=(.*)$/.exec(record);
    if (match) return match[1];
  }
  return undefined;
}

/**
 * The next entry's header; its data (`size` bytes, padded to 512) follows in
 * the reader. Returns null at the end of the archive.
 */
export async function nextTarEntry(reader: ByteReader, path: string): Promise<TarEntry | null> {
  let longName: string | undefined;
  for (;;) {
    const block = await reader.readExact(BLOCK);
    if (block.length === 0 || block.every((b) => b === 0)) return null;
    if (block.length < BLOCK) throw bad(path, "truncated header");
    if (!checksumOk(block)) throw bad(path, "header checksum mismatch");
    const flag = String.fromCharCode(block[156]!);
    const size = number(block.subarray(124, 136));
    if (flag === "L" || flag === "x") {
      const data = await readPadded(reader, size, path);
      longName = flag === "L" ? text(data) : paxPath(data) ?? longName;
      continue;
    }
    if (flag === "g") {
      await skipData(reader, size, path);
      continue;
    }
    const prefix = text(block.subarray(345, 500));
    const base = text(block.subarray(0, 100));
    const ustar = text(block.subarray(257, 262)) === "ustar";
    const name = longName ?? (ustar && prefix ? `${prefix}/${base}` : base);
    return { name, size, kind: kindOf(flag) };
  }
}

async function readPadded(reader: ByteReader, size: number, path: string): Promise<Uint8Array> {
  const data = await reader.readExact(size);
  if (data.length < size) throw bad(path, "truncated entry");
  await reader.skip(padding(size));
  return data;
}

/** Skips an entry's data and padding. */
export async function skipData(reader: ByteReader, size: number, path: string): Promise<void> {
  const total = size + padding(size);
  if ((await reader.skip(total)) < total) throw bad(path, "truncated entry");
}

/** Bytes of padding after `size` bytes of data. */
export function padding(size: number): number {
  return (BLOCK - (size % BLOCK)) % BLOCK;
}
