/**
 * TensorBoard event files: scalar summaries as `Event` protocol buffers in
 * TFRecord framing, the format TensorBoard (and tools that read its logs:
 * W&B's `sync --sync-tensorboard`, tbparse) read. Hand-written on purpose:
 * three message types and CRC-32C do not justify protobuf and TF
 * dependencies. Field numbers are those of tensorflow/core/util/event.proto
 * and summary.proto.
 */
import { concatBytes } from "../util/concat_bytes.ts";

/** The first record of every event file: the format version. */
const FILE_VERSION = "brain.Event:2";

/**
 * One TFRecord holding an `Event` with the file version, to start a file.
 *
 * @example
 * ```ts
 * Deno.writeFileSync("events.out.tfevents.1.host", fileVersionRecord(Date.now() / 1000));
 * ```
 */
export function fileVersionRecord(wallTime: number): Uint8Array {
  return tfRecord(
    concatBytes([double(1, wallTime), bytes(3, new TextEncoder().encode(FILE_VERSION))]),
  );
}

/**
 * One TFRecord holding an `Event` with a scalar summary per entry of
 * `scalars` at `step`. Values are stored as 32-bit floats, as TensorBoard's
 * `simple_value` is.
 *
 * @example
 * ```ts
 * scalarRecord(100, Date.now() / 1000, { loss: 0.31, val_acc: 0.92 });
 * ```
 */
export function scalarRecord(
  step: number,
  wallTime: number,
  scalars: Record<string, number>,
): Uint8Array {
  const values = Object.entries(scalars).map(([tag, value]) =>
    bytes(1, concatBytes([bytes(1, new TextEncoder().encode(tag)), float(2, value)]))
  );
  return tfRecord(
    concatBytes([double(1, wallTime), varintField(2, step), bytes(5, concatBytes(values))]),
  );
}

/** TFRecord framing: length, its masked CRC, the data, its masked CRC (all little-endian). */
export function tfRecord(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(8 + 4 + data.length + 4);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(data.length), true);
  view.setUint32(8, maskedCrc32c(out.subarray(0, 8)), true);
  out.set(data, 12);
  view.setUint32(12 + data.length, maskedCrc32c(data), true);
  return out;
}

const CRC32C_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/**
 * CRC-32C (Castagnoli), as TFRecord uses.
 *
 * @example
 * ```ts
 * crc32c(new TextEncoder().encode("123456789")); // 0xe3069283
 * ```
 */
export function crc32c(data: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of data) crc = CRC32C_TABLE[(crc ^ byte) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/** TFRecord's masked CRC: rotated right by 15 bits plus a constant. */
export function maskedCrc32c(data: Uint8Array): number {
  const crc = crc32c(data);
  return ((((crc >>> 15) | (crc << 17)) >>> 0) + 0xa282ead8) >>> 0;
}

function varint(value: number): number[] {
  const out: number[] = [];
  let v = Math.max(0, Math.floor(value));
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
  return out;
}

function varintField(field: number, value: number): Uint8Array {
  return Uint8Array.from([...varint(field << 3), ...varint(value)]);
}

function double(field: number, value: number): Uint8Array {
  const out = new Uint8Array(9);
  out[0] = (field << 3) | 1;
  new DataView(out.buffer).setFloat64(1, value, true);
  return out;
}

function float(field: number, value: number): Uint8Array {
  const out = new Uint8Array(5);
  out[0] = (field << 3) | 5;
  new DataView(out.buffer).setFloat32(1, value, true);
  return out;
}

function bytes(field: number, data: Uint8Array): Uint8Array {
  return concatBytes([
    Uint8Array.from([...varint((field << 3) | 2), ...varint(data.length)]),
    data,
  ]);
}
