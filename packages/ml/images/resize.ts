/**
 * Bilinear resampling of a rectangle of an HWC image into another size, with
 * half-pixel centres (as PyTorch's `align_corners=False` and TF's
 * `halfPixelCenters`), reading uint8 pixels and writing floats in [0, 1].
 *
 * @example
 * ```ts
 * const out = new Float32Array(224 * 224 * 3);
 * cropResize(pixels, [256, 256, 3], { top: 16, left: 16, height: 224, width: 224 }, out, [224, 224]);
 * ```
 */

/** A rectangle of an image, in pixels. */
export interface CropBox {
  top: number;
  left: number;
  height: number;
  width: number;
}

/** Resizes `box` of `src` (uint8, HWC) to `size` into `out` (floats in [0, 1], HWC). */
export function cropResize(
  src: Uint8Array,
  shape: readonly [number, number, number],
  box: CropBox,
  out: Float32Array,
  size: readonly [number, number],
): Float32Array {
  const [h, w, c] = shape, [oh, ow] = size;
  if (out.length !== oh * ow * c) {
    throw new RangeError(`Output holds "${out.length}" values, expected "${oh * ow * c}"`);
  }
  const sy = box.height / oh, sx = box.width / ow;
  if (box.top < 0 || box.left < 0 || box.top + box.height > h || box.left + box.width > w) {
    throw new RangeError(`Crop ${JSON.stringify(box)} leaves the ${h}x${w} image`);
  }
  const xs = axisTaps(ow, sx, box.left, box.width);
  const inv = 1 / 255;
  for (let y = 0; y < oh; y++) {
    const fy = Math.min(Math.max((y + 0.5) * sy - 0.5, 0), box.height - 1) + box.top;
    const y0 = Math.floor(fy), y1 = Math.min(y0 + 1, box.top + box.height - 1), wy = fy - y0;
    const row0 = y0 * w * c, row1 = y1 * w * c;
    for (let x = 0; x < ow; x++) {
      const x0 = xs.lo[x]! * c, x1 = xs.hi[x]! * c, wx = xs.weight[x]!;
      const o = (y * ow + x) * c;
      for (let k = 0; k < c; k++) {
        const top = src[row0 + x0 + k]! + (src[row0 + x1 + k]! - src[row0 + x0 + k]!) * wx;
        const bottom = src[row1 + x0 + k]! + (src[row1 + x1 + k]! - src[row1 + x0 + k]!) * wx;
        out[o + k] = (top + (bottom - top) * wy) * inv;
      }
    }
  }
  return out;
}

/**
 * Source columns and weights of each output column (once per image, not per row). Samples are
 * clamped to the crop, as cropping then resizing does.
 */
function axisTaps(n: number, scale: number, offset: number, extent: number) {
  const lo = new Int32Array(n), hi = new Int32Array(n), weight = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const f = Math.min(Math.max((i + 0.5) * scale - 0.5, 0), extent - 1);
    const base = Math.floor(f);
    lo[i] = base + offset;
    hi[i] = Math.min(base + 1, extent - 1) + offset;
    weight[i] = f - base;
  }
  return { lo, hi, weight };
}
