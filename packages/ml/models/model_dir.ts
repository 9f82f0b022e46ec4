/**
 * TF.js Layers model directories (`model.json` + binary weight files) read
 * and written as plain data, with no tensor runtime: soups and WiSE-FT are
 * arithmetic on the weights, and the topology is copied unchanged. Any TF.js
 * program can load the result with `tf.loadLayersModel`.
 *
 * @example
 * ```ts
 * const { json, weights } = await readModelDir("runs/a/selected");
 * await writeModelDir("soup", json, uniformSoup([weights, other]));
 * ```
 */
import type { Weights } from "./weights.ts";

/** The parts of `model.json` we read; anything else is carried along unchanged. */
export interface ModelJson {
  modelTopology: unknown;
  format?: string;
  weightsManifest?: { paths: string[]; weights: WeightSpec[] }[];
  userDefinedMetadata?: Record<string, unknown>;
  [key: string]: unknown;
}

interface WeightSpec {
  name: string;
  shape: number[];
  dtype: string;
  quantization?: unknown;
}

export const WEIGHTS_FILE = "weights.bin";

/** Reads `model.json` and every weight it lists, in manifest order. */
export async function readModelDir(dir: string): Promise<{ json: ModelJson; weights: Weights }> {
  let json: ModelJson;
  try {
    json = JSON.parse(await Deno.readTextFile(`${dir}/model.json`));
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw new TypeError(`No model in "${dir}": model.json is missing`);
    }
    throw new SyntaxError(`Invalid "${dir}/model.json": ${(error as Error).message}`);
  }
  const weights: Weights = [];
  for (const group of json.weightsManifest ?? []) {
    const parts = await Promise.all(group.paths.map((p) => Deno.readFile(`${dir}/${p}`)));
    const bytes = concatBytes(parts);
    let offset = 0;
    for (const spec of group.weights) {
      if (spec.dtype !== "float32" || spec.quantization) {
        throw new TypeError(
          `Weight "${spec.name}" in "${dir}" is ${spec.dtype}${
            spec.quantization ? " (quantized)" : ""
          }, only float32 is supported`,
        );
      }
      const size = spec.shape.reduce((a, b) => a * b, 1);
      if (offset + size * 4 > bytes.byteLength) {
        throw new SyntaxError(`Weight files of "${dir}" are too short for "${spec.name}"`);
      }
      const values = new Float32Array(
        bytes.buffer.slice(bytes.byteOffset + offset, bytes.byteOffset + offset + size * 4),
      );
      weights.push({ name: spec.name, shape: [...spec.shape], values });
      offset += size * 4;
    }
  }
  return { json, weights };
}

/** Writes `model.json` (with a fresh manifest) and one `weights.bin` into `dir`. */
export async function writeModelDir(dir: string, json: ModelJson, weights: Weights): Promise<void> {
  await Deno.mkdir(dir, { recursive: true });
  const manifest = [{
    paths: [WEIGHTS_FILE],
    weights: weights.map((w) => ({ name: w.name, shape: w.shape, dtype: "float32" })),
  }];
  const bytes = concatBytes(
    weights.map((w) => new Uint8Array(w.values.buffer, w.values.byteOffset, w.values.byteLength)),
  );
  await Deno.writeFile(`${dir}/${WEIGHTS_FILE}`, bytes);
  await Deno.writeTextFile(
    `${dir}/model.json`,
    JSON.stringify({ ...json, weightsManifest: manifest }, null, 1),
  );
}

function concatBytes(parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.byteLength;
  }
  return out;
}
