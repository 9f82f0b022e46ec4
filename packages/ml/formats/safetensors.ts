/**
 * Reads tensors from a safetensors file one at a time, as float32: a 100 MB
 * ResNet-50 file is never held in memory twice (F32 data is read straight
 * into the result; F16/BF16 pass through one tensor-sized buffer).
 *
 * @example
 * ```ts
 * import { openSafetensors } from "./safetensors.ts";
 *
 * using file = await openSafetensors("model.safetensors");
 * console.log(file.metadata.architecture, [...file.tensors.keys()].length);
 * const kernel = await file.readFloat32("conv1.weight"); // Float32Array, PyTorch layout
 * ```
 * @module
 */
import { decodeToFloat32, FLOAT32_DECODABLE } from "./_safetensors_decode.ts";
import {
  MAX_HEADER_BYTES,
  parseSafetensorsHeader,
  type SafetensorsEntry,
} from "./safetensors_header.ts";

export type { SafetensorsEntry } from "./safetensors_header.ts";

/** An open safetensors file. */
export interface SafetensorsFile extends Disposable {
  /** The file's name in messages: its path, or `OpenSafetensorsOptions.name`. */
  readonly name: string;
  /** `__metadata__` of the header (empty when absent). */
  readonly metadata: Record<string, string>;
  /** Every tensor's dtype, shape and byte range, by name, in the header's order. */
  readonly tensors: ReadonlyMap<string, SafetensorsEntry>;
  /** A tensor's values as float32, C order; throws a `RangeError` for an unknown name. */
  readFloat32(name: string): Promise<Float32Array>;
  close(): void;
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Options of {@linkcode openSafetensors}. */
export interface OpenSafetensorsOptions {
  /** How messages name the file (e.g. the URL it came from); default `path`. */
  name?: string;
}

/**
 * Opens `path` and checks its header against the file size. Throws a
 * `SyntaxError` naming the file (and the tensor) when the file is truncated or
 * inconsistent, or names an unknown dtype.
 *
 * @example
 * ```ts
 * const file = await openSafetensors("resnet50.safetensors");
 * try {
 *   const mean = await file.readFloat32("bn1.running_mean");
 * } finally {
 *   file.close();
 * }
 * ```
 */
export async function openSafetensors(
  path: string,
  options: OpenSafetensorsOptions = {},
): Promise<SafetensorsFile> {
  const name = options.name ?? path;
  const file = await Deno.open(path, { read: true });
  try {
    const size = (await file.stat()).size;
    const fail = (what: string) => new SyntaxError(`Invalid safetensors file "${name}": ${what}`);
    if (size < 8) throw fail(`${size} bytes, shorter than the 8-byte header length`);
    const lengthBytes = await readAt(file, 0, new Uint8Array(8));
    const length = new DataView(lengthBytes.buffer).getBigUint64(0, true);
    const rest = size - 8;
    if (length > BigInt(rest)) {
      throw fail(
        `header length ${length} exceeds the ${rest} bytes after it (the file has ${size}; truncated?)`,
      );
    }
    if (length > BigInt(MAX_HEADER_BYTES)) {
      throw fail(`header length ${length} exceeds the limit of ${MAX_HEADER_BYTES} bytes`);
    }
    const headerBytes = await readAt(file, 8, new Uint8Array(Number(length)));
    const text = new TextDecoder("utf-8", { fatal: false }).decode(headerBytes);
    const dataStart = 8 + Number(length);
    const header = parseSafetensorsHeader(text, size - dataStart, name);
    return reader(file, name, dataStart, header.metadata, header.tensors);
  } catch (error) {
    file.close();
    throw error;
  }
}

function reader(
  file: Deno.FsFile,
  fileName: string,
  dataStart: number,
  metadata: Record<string, string>,
  tensors: Map<string, SafetensorsEntry>,
): SafetensorsFile {
  let closed = false;
  const close = () => {
    if (!closed) file.close();
    closed = true;
  };
  // One file position: reads run one after another, even when callers overlap them.
  let queue: Promise<unknown> = Promise.resolve();
  const read = async (tensor: string) => {
    const entry = tensors.get(tensor);
    if (!entry) throw new RangeError(`Safetensors file "${fileName}" has no tensor "${tensor}"`);
    if (!FLOAT32_DECODABLE.includes(entry.dtype)) {
      throw new TypeError(
        `Cannot read tensor "${tensor}" of "${fileName}" as float32: dtype "${entry.dtype}"`,
      );
    }
    const out = new Float32Array(entry.shape.reduce((a, b) => a * b, 1));
    const start = dataStart + entry.begin;
    if (entry.dtype === "F32" && LITTLE_ENDIAN) {
      await readAt(file, start, new Uint8Array(out.buffer));
    } else {
      const bytes = await readAt(file, start, new Uint8Array(entry.end - entry.begin));
      decodeToFloat32(entry.dtype, bytes, out);
    }
    return out;
  };
  return {
    name: fileName,
    metadata,
    tensors,
    readFloat32(name) {
      const result = queue.then(() => read(name));
      queue = result.catch(() => {});
      return result;
    },
    close,
    [Symbol.dispose]: close,
  };
}

/** Fills `into` from byte `offset` of `file`; a short file is a `SyntaxError`. */
async function readAt(file: Deno.FsFile, offset: number, into: Uint8Array): Promise<Uint8Array> {
  await file.seek(offset, Deno.SeekMode.Start);
  let filled = 0;
  while (filled < into.length) {
    const n = await file.read(into.subarray(filled));
    if (n === null) {
      throw new SyntaxError(`Unexpected end of file at byte ${offset + filled}`);
    }
    filled += n;
  }
  return into;
}
