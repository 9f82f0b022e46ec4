/**
 * im2col / col2im over a range of output rows, so that a convolution's patch
 * matrix can be built and consumed in cache-sized chunks instead of all at once
 * (a ResNet layer's full matrix is hundreds of megabytes). With dilation 1 the
 * filter taps of one filter row read consecutive input pixels, so each
 * (output pixel, filter row) moves one run of `filterWidth * inChannels` floats
 * when it lies inside the image.
 *
 * @module
 */
import type { ConvGeometry } from "./_im2col.ts";

/**
 * Writes the patches of output rows `[row0, row1)` (row = `(n * outHeight + oh) * outWidth + ow`)
 * of `x` (NHWC) into `out` (`(row1 - row0) x (filterHeight * filterWidth * inChannels)`),
 * zeros in the padding.
 *
 * @example
 * ```ts
 * im2colRows(x, geometry, 0, 64, chunk);
 * ```
 */
export function im2colRows(
  x: Float32Array,
  g: ConvGeometry,
  row0: number,
  row1: number,
  out: Float32Array,
): void {
  const c = g.inChannels;
  const run = g.filterWidth * c;
  const depth = g.filterHeight * run;
  const pixels = g.outHeight * g.outWidth;
  let dst = 0;
  for (let row = row0; row < row1; row++, dst += depth) {
    const n = Math.floor(row / pixels);
    const p = row - n * pixels;
    const oh = Math.floor(p / g.outWidth);
    const ow = p - oh * g.outWidth;
    const image = n * g.inHeight * g.inWidth * c;
    const iw0 = ow * g.strideWidth - g.padLeft;
    const inside = iw0 >= 0 && iw0 + g.filterWidth <= g.inWidth && g.dilationWidth === 1;
    for (let kh = 0; kh < g.filterHeight; kh++) {
      const ih = oh * g.strideHeight + kh * g.dilationHeight - g.padTop;
      const at = dst + kh * run;
      if (ih < 0 || ih >= g.inHeight) {
        out.fill(0, at, at + run);
        continue;
      }
      const line = image + ih * g.inWidth * c;
      if (inside) {
        copy(x, line + iw0 * c, out, at, run);
        continue;
      }
      for (let kw = 0; kw < g.filterWidth; kw++) {
        const iw = iw0 + kw * g.dilationWidth;
        if (iw < 0 || iw >= g.inWidth) out.fill(0, at + kw * c, at + kw * c + c);
        else copy(x, line + iw * c, out, at + kw * c, c);
      }
    }
  }
}

/**
 * The adjoint of {@linkcode im2colRows}: adds the rows `[row0, row1)` held in
 * `col` back into the input positions they were read from. `dx` is not cleared.
 *
 * @example
 * ```ts
 * dx.fill(0);
 * col2imRows(chunk, geometry, 0, 64, dx);
 * ```
 */
export function col2imRows(
  col: Float32Array,
  g: ConvGeometry,
  row0: number,
  row1: number,
  dx: Float32Array,
): void {
  const c = g.inChannels;
  const run = g.filterWidth * c;
  const depth = g.filterHeight * run;
  const pixels = g.outHeight * g.outWidth;
  let src = 0;
  for (let row = row0; row < row1; row++, src += depth) {
    const n = Math.floor(row / pixels);
    const p = row - n * pixels;
    const oh = Math.floor(p / g.outWidth);
    const ow = p - oh * g.outWidth;
    const image = n * g.inHeight * g.inWidth * c;
    const iw0 = ow * g.strideWidth - g.padLeft;
    const inside = iw0 >= 0 && iw0 + g.filterWidth <= g.inWidth && g.dilationWidth === 1;
    for (let kh = 0; kh < g.filterHeight; kh++) {
      const ih = oh * g.strideHeight + kh * g.dilationHeight - g.padTop;
      if (ih < 0 || ih >= g.inHeight) continue;
      const line = image + ih * g.inWidth * c;
      const at = src + kh * run;
      if (inside) {
        add(col, at, dx, line + iw0 * c, run);
        continue;
      }
      for (let kw = 0; kw < g.filterWidth; kw++) {
        const iw = iw0 + kw * g.dilationWidth;
        if (iw >= 0 && iw < g.inWidth) add(col, at + kw * c, dx, line + iw * c, c);
      }
    }
  }
}

function copy(src: Float32Array, from: number, dst: Float32Array, to: number, count: number) {
  for (let i = 0; i < count; i++) dst[to + i] = src[from + i]!;
}

function add(src: Float32Array, from: number, dst: Float32Array, to: number, count: number) {
  for (let i = 0; i < count; i++) dst[to + i] = dst[to + i]! + src[from + i]!;
}
