/**
 * Pure im2col / col2im loops over NHWC float32 arrays. They turn a convolution
 * (and its gradients) into one large matrix product, which is what the wasm
 * backend does fast.
 *
 * @module
 */

/** The geometry of a 2-D convolution over an NHWC input (a subset of TF.js `Conv2DInfo`). */
export interface ConvGeometry {
  batchSize: number;
  inHeight: number;
  inWidth: number;
  inChannels: number;
  outHeight: number;
  outWidth: number;
  filterHeight: number;
  filterWidth: number;
  strideHeight: number;
  strideWidth: number;
  dilationHeight: number;
  dilationWidth: number;
  padTop: number;
  padLeft: number;
}

/** Copying a run this short element by element beats `TypedArray.set`'s call overhead. */
const SHORT_RUN = 16;

/**
 * Writes the patches of `x` (NHWC) as rows of `out`, shaped
 * `[batch * outHeight * outWidth, filterHeight * filterWidth * inChannels]`;
 * positions in the padding are zeros.
 *
 * @example
 * ```ts
 * const g = { batchSize: 1, inHeight: 2, inWidth: 2, inChannels: 1, outHeight: 1, outWidth: 1,
 *   filterHeight: 2, filterWidth: 2, strideHeight: 1, strideWidth: 1, dilationHeight: 1,
 *   dilationWidth: 1, padTop: 0, padLeft: 0 };
 * const out = new Float32Array(4);
 * im2col(new Float32Array([1, 2, 3, 4]), g, out); // out = [1, 2, 3, 4]
 * ```
 */
export function im2col(x: Float32Array, g: ConvGeometry, out: Float32Array): void {
  const c = g.inChannels;
  const rowLength = g.filterHeight * g.filterWidth * c;
  let row = 0;
  for (let n = 0; n < g.batchSize; n++) {
    const image = n * g.inHeight * g.inWidth * c;
    for (let oh = 0; oh < g.outHeight; oh++) {
      for (let ow = 0; ow < g.outWidth; ow++) {
        let dst = row;
        for (let kh = 0; kh < g.filterHeight; kh++) {
          const ih = oh * g.strideHeight + kh * g.dilationHeight - g.padTop;
          for (let kw = 0; kw < g.filterWidth; kw++, dst += c) {
            const iw = ow * g.strideWidth + kw * g.dilationWidth - g.padLeft;
            if (ih < 0 || ih >= g.inHeight || iw < 0 || iw >= g.inWidth) {
              out.fill(0, dst, dst + c);
              continue;
            }
            const src = image + (ih * g.inWidth + iw) * c;
            if (c < SHORT_RUN) {
              for (let i = 0; i < c; i++) out[dst + i] = x[src + i]!;
            } else {
              out.set(x.subarray(src, src + c), dst);
            }
          }
        }
        row += rowLength;
      }
    }
  }
}

/**
 * Offset in x of the input pixel that output row `m` reads at filter tap
 * (kh, kw), or -1 in the padding.
 *
 * @example
 * ```ts
 * patchSource(g, 0, 0, 0, g.outHeight * g.outWidth); // -1 with "same" padding
 * ```
 */
export function patchSource(
  g: ConvGeometry,
  m: number,
  kh: number,
  kw: number,
  pixels: number,
): number {
  const n = Math.floor(m / pixels);
  const p = m - n * pixels;
  const oh = Math.floor(p / g.outWidth);
  const ow = p - oh * g.outWidth;
  const ih = oh * g.strideHeight + kh * g.dilationHeight - g.padTop;
  const iw = ow * g.strideWidth + kw * g.dilationWidth - g.padLeft;
  if (ih < 0 || ih >= g.inHeight || iw < 0 || iw >= g.inWidth) return -1;
  return ((n * g.inHeight + ih) * g.inWidth + iw) * g.inChannels;
}

/**
 * The adjoint of {@linkcode im2col}: adds every row of `col` back into the
 * input positions it was read from. `dx` (NHWC) is overwritten.
 *
 * @example
 * ```ts
 * const dx = new Float32Array(4);
 * col2im(new Float32Array([1, 2, 3, 4]), g, dx); // dx = [1, 2, 3, 4] for the geometry above
 * ```
 */
export function col2im(col: Float32Array, g: ConvGeometry, dx: Float32Array): void {
  const c = g.inChannels;
  dx.fill(0);
  let src = 0;
  for (let n = 0; n < g.batchSize; n++) {
    const image = n * g.inHeight * g.inWidth * c;
    for (let oh = 0; oh < g.outHeight; oh++) {
      for (let ow = 0; ow < g.outWidth; ow++) {
        for (let kh = 0; kh < g.filterHeight; kh++) {
          const ih = oh * g.strideHeight + kh * g.dilationHeight - g.padTop;
          for (let kw = 0; kw < g.filterWidth; kw++, src += c) {
            const iw = ow * g.strideWidth + kw * g.dilationWidth - g.padLeft;
            if (ih < 0 || ih >= g.inHeight || iw < 0 || iw >= g.inWidth) continue;
            const dst = image + (ih * g.inWidth + iw) * c;
            for (let i = 0; i < c; i++) dx[dst + i] = dx[dst + i]! + col[src + i]!;
          }
        }
      }
    }
  }
}
