/**
 * The header of a safetensors file (the format Hugging Face and timm publish
 * weights in): an 8-byte little-endian length, then that many bytes of JSON
 * mapping each tensor name to `{dtype, shape, data_offsets: [begin, end]}`
 * (offsets relative to the data after the header) plus an optional
 * `__metadata__` object of strings. Parsing checks every entry against the
 * data size, so a truncated or inconsistent file fails here, naming the tensor.
 *
 * @example
 * ```ts
 * import { parseSafetensorsHeader } from "./safetensors_header.ts";
 *
 * const json = '{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}';
 * const header = parseSafetensorsHeader(json, 8, "tiny.safetensors");
 * console.log(header.tensors.get("w")?.shape); // [2]
 * ```
 * @module
 */

/** Bytes per element of each safetensors dtype. */
export const SAFETENSORS_DTYPE_BYTES: Readonly<Record<string, number>> = {
  BOOL: 1,
  U8: 1,
  I8: 1,
  F8_E4M3: 1,
  F8_E5M2: 1,
  I16: 2,
  U16: 2,
  F16: 2,
  BF16: 2,
  I32: 4,
  U32: 4,
  F32: 4,
  I64: 8,
  U64: 8,
  F64: 8,
};

/** One tensor's entry in the header. */
export interface SafetensorsEntry {
  name: string;
  dtype: string;
  shape: number[];
  /** Byte range in the data section (after the header). */
  begin: number;
  end: number;
}

/** A parsed header. */
export interface SafetensorsHeader {
  /** `__metadata__` (string values), empty when absent. */
  metadata: Record<string, string>;
  /** Tensors by name, in the header's order. */
  tensors: Map<string, SafetensorsEntry>;
}

/** The largest header the reference implementation accepts (100 MB). */
export const MAX_HEADER_BYTES = 100_000_000;

/**
 * Parses and checks the JSON header of a file whose data section holds
 * `dataBytes` bytes. Throws a `SyntaxError` starting with the file name
 * (`source`) and naming the offending tensor.
 *
 * @example
 * ```ts
 * const header = parseSafetensorsHeader(jsonText, fileSize - 8 - jsonBytes, path);
 * ```
 */
export function parseSafetensorsHeader(
  json: string,
  dataBytes: number,
  source: string,
): SafetensorsHeader {
  const fail = (what: string) => new SyntaxError(`Invalid safetensors file "${source}": ${what}`);
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch (error) {
    throw fail(`header is not JSON (${(error as Error).message})`);
  }
  if (!isRecord(raw)) throw fail("header is not a JSON object");
  const metadata = metadataOf(raw.__metadata__, fail);
  const tensors = new Map<string, SafetensorsEntry>();
  for (const [name, value] of Object.entries(raw)) {
    if (name === "__metadata__") continue;
    tensors.set(name, entryOf(name, value, dataBytes, fail));
  }
  checkOverlaps([...tensors.values()], fail);
  return { metadata, tensors };
}

type Fail = (what: string) => SyntaxError;

function metadataOf(value: unknown, fail: Fail): Record<string, string> {
  if (value === undefined) return {};
  if (!isRecord(value)) throw fail(`"__metadata__" is not an object`);
  const out: Record<string, string> = {};
  for (const [key, v] of Object.entries(value)) {
    if (typeof v !== "string") throw fail(`"__metadata__.${key}" is not a string`);
    out[key] = v;
  }
  return out;
}

function entryOf(name: string, value: unknown, dataBytes: number, fail: Fail): SafetensorsEntry {
  const tensor = `tensor "${name}"`;
  if (!isRecord(value)) throw fail(`${tensor} is not an object`);
  const { dtype, shape, data_offsets: offsets } = value;
  if (typeof dtype !== "string") throw fail(`${tensor} has no dtype`);
  const itemBytes = SAFETENSORS_DTYPE_BYTES[dtype];
  if (itemBytes === undefined) {
    throw fail(`${tensor} has unknown dtype "${dtype}"`);
  }
  if (!Array.isArray(shape) || !shape.every(isCount)) {
    throw fail(`${tensor} has an invalid shape ${JSON.stringify(shape)}`);
  }
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isCount)) {
    throw fail(`${tensor} has invalid data_offsets ${JSON.stringify(offsets)}`);
  }
  const [begin, end] = offsets as [number, number];
  const expected = shape.reduce((a: number, b: number) => a * b, 1) * itemBytes;
  if (end - begin !== expected) {
    throw fail(
      `${tensor} (${dtype} [${shape}]) needs ${expected} bytes, but its data_offsets ` +
        `[${begin}, ${end}] hold ${end - begin}`,
    );
  }
  if (end > dataBytes) {
    throw fail(
      `${tensor} ends at byte ${end} of the data, but the file holds only ${dataBytes} ` +
        `(truncated?)`,
    );
  }
  return { name, dtype, shape: shape as number[], begin, end };
}

function checkOverlaps(entries: SafetensorsEntry[], fail: Fail) {
  const sorted = entries.filter((e) => e.end > e.begin).sort((a, b) => a.begin - b.begin);
  for (let i = 1; i < sorted.length; i++) {
    const [a, b] = [sorted[i - 1]!, sorted[i]!];
    if (b.begin < a.end) throw fail(`tensors "${a.name}" and "${b.name}" overlap`);
  }
}

function isCount(v: unknown): v is number {
  return Number.isSafeInteger(v) && (v as number) >= 0;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
