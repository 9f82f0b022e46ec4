/**
 * Model weights as plain data: an ordered list of named float32 tensors. The
 * weight arithmetic of soups and WiSE-FT, the optimiser and checkpoints all
 * work on this form, independent of any tensor library.
 *
 * @example
 * ```ts
 * const w: Weights = [{ name: "dense/kernel", shape: [2, 3], values: new Float32Array(6) }];
 * architectureOf(w); // "dense/kernel:2x3"
 * ```
 */
export interface WeightTensor {
  /** Layer-qualified name, e.g. `dense/kernel`. */
  name: string;
  shape: number[];
  values: Float32Array;
}

/** An ordered list of named tensors. */
export type Weights = WeightTensor[];

/** A string naming every tensor and its shape: equal strings mean averageable weights. */
export function architectureOf(weights: Weights): string {
  return weights.map((w) => `${w.name}:${w.shape.join("x")}`).join(",");
}

/** A deep copy. */
export function cloneWeights(weights: Weights): Weights {
  return weights.map((w) => ({ name: w.name, shape: [...w.shape], values: w.values.slice() }));
}

/** SHA-256 (hex) over names, shapes and values: identifies a starting point. */
export async function weightsDigest(weights: Weights): Promise<string> {
  const header = new TextEncoder().encode(architectureOf(weights));
  let size = header.byteLength;
  for (const w of weights) size += w.values.byteLength;
  const bytes = new Uint8Array(size);
  bytes.set(header, 0);
  let offset = header.byteLength;
  for (const w of weights) {
    bytes.set(new Uint8Array(w.values.buffer, w.values.byteOffset, w.values.byteLength), offset);
    offset += w.values.byteLength;
  }
  const digest = await crypto.subtle.digest("SHA-256", bytes);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** The largest absolute difference between two weight lists of one architecture. */
export function maxAbsDifference(a: Weights, b: Weights): number {
  let max = 0;
  a.forEach((w, i) => {
    const other = b[i]!.values;
    for (let j = 0; j < w.values.length; j++) {
      max = Math.max(max, Math.abs(w.values[j]! - other[j]!));
    }
  });
  return max;
}
