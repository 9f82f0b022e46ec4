/**
 * Reads the PyTorch reference fixtures in tests/fixtures/resnet/ (see its
 * README.md): JSON manifests whose arrays are `{file, offset, dtype, shape}`
 * entries pointing into `.bin` files.
 *
 * @example
 * ```ts
 * const forward = await readFixtureJson("forward.json");
 * const logits = await fixtureArray(forward.cases.resnet18_tiny_64.logits);
 * ```
 * @module
 */

/** The fixture directory. */
export const RESNET_FIXTURES = new URL("../fixtures/resnet/", import.meta.url).pathname;

/** An array entry of a manifest. */
export interface ArrayEntry {
  file: string;
  offset: number;
  dtype: "float32" | "uint8";
  shape: number[];
}

/** An array read from the fixture. */
export interface FixtureArray {
  data: Float32Array | Uint8Array;
  shape: number[];
}

const files = new Map<string, Promise<Uint8Array>>();

/** Parses a manifest (`inputs.json`, `forward.json`, `sgd.json`). */
// deno-lint-ignore no-explicit-any
export async function readFixtureJson(name: string): Promise<any> {
  return JSON.parse(await Deno.readTextFile(`${RESNET_FIXTURES}${name}`));
}

/** The values of one entry (a copy, aligned). */
export async function fixtureArray(entry: ArrayEntry): Promise<FixtureArray> {
  let bytes = files.get(entry.file);
  if (!bytes) files.set(entry.file, bytes = Deno.readFile(`${RESNET_FIXTURES}${entry.file}`));
  const all = await bytes;
  const n = entry.shape.reduce((a, b) => a * b, 1);
  const size = entry.dtype === "float32" ? 4 : 1;
  const copy = all.slice(entry.offset, entry.offset + n * size);
  const data = entry.dtype === "float32" ? new Float32Array(copy.buffer) : copy;
  return { data, shape: entry.shape };
}

/** `max |actual - expected| / max |expected|`, the fixture's tolerance measure. */
export function relativeError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  if (actual.length !== expected.length) {
    throw new RangeError(`Length ${actual.length} differs from the expected ${expected.length}`);
  }
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < expected.length; i++) {
    diff = Math.max(diff, Math.abs(actual[i]! - expected[i]!));
    scale = Math.max(scale, Math.abs(expected[i]!));
  }
  return diff / scale;
}
