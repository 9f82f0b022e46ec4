/**
 * The runs a range of patch-matrix rows is made of, as (image offset, bytes)
 * pairs: one per (output pixel, filter row) when the filter row lies inside the
 * image (its taps read consecutive pixels), else one per tap, with offset -1 in
 * the padding. `gather` in `_simd_kernels.ts` turns the table into im2col rows;
 * `scatterAdd` adds such rows back into an image (col2im).
 *
 * @module
 */
import type { ConvGeometry } from "./_im2col.ts";

/**
 * Most pairs {@linkcode patchTable} writes for `rows` rows.
 *
 * @example
 * ```ts
 * const table = new Int32Array(2 * maxPairs(geometry, rows));
 * ```
 */
export function maxPairs(g: ConvGeometry, rows: number): number {
  return rows * g.filterHeight * g.filterWidth;
}

/**
 * Writes the pairs of rows `[row0, row1)` into `table` (image offsets in bytes
 * from `imageBase`) and returns how many it wrote. Needs dilation 1.
 *
 * @example
 * ```ts
 * const pairs = patchTable(geometry, 0, 64, imageByteOffset, table);
 * ```
 */
export function patchTable(
  g: ConvGeometry,
  row0: number,
  row1: number,
  imageBase: number,
  table: Int32Array,
): number {
  const c = g.inChannels;
  const tapBytes = c * 4;
  const runBytes = g.filterWidth * tapBytes;
  const pixels = g.outHeight * g.outWidth;
  const imageBytes = g.inHeight * g.inWidth * tapBytes;
  const lineBytes = g.inWidth * tapBytes;
  let at = 0;
  for (let row = row0; row < row1; row++) {
    const n = Math.floor(row / pixels);
    const p = row - n * pixels;
    const oh = Math.floor(p / g.outWidth);
    const ow = p - oh * g.outWidth;
    const iw0 = ow * g.strideWidth - g.padLeft;
    const inside = iw0 >= 0 && iw0 + g.filterWidth <= g.inWidth;
    const image = imageBase + n * imageBytes;
    for (let kh = 0; kh < g.filterHeight; kh++) {
      const ih = oh * g.strideHeight + kh - g.padTop;
      if (ih < 0 || ih >= g.inHeight) {
        table[at++] = -1;
        table[at++] = runBytes;
        continue;
      }
      const line = image + ih * lineBytes;
      if (inside) {
        table[at++] = line + iw0 * tapBytes;
        table[at++] = runBytes;
        continue;
      }
      for (let kw = 0; kw < g.filterWidth; kw++) {
        const iw = iw0 + kw;
        table[at++] = iw < 0 || iw >= g.inWidth ? -1 : line + iw * tapBytes;
        table[at++] = tapBytes;
      }
    }
  }
  return at / 2;
}
