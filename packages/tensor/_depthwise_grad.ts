/**
 * Pure gradient loops of a depthwise 2-D convolution over NHWC float32 arrays.
 * Depthwise convolutions are cheap (no reduction over channels), so plain loops
 * with the channel loop innermost are fast enough.
 *
 * @module
 */
import type { ConvGeometry } from "./_im2col.ts";

/**
 * Filter gradient: `dw[kh, kw, c, m] = Σ x[n, ih, iw, c] · dy[n, oh, ow, c·M + m]`.
 * `dw` (`[filterHeight, filterWidth, inChannels, multiplier]`) is overwritten.
 *
 * @example
 * ```ts
 * depthwiseFilterGrad(x, dy, geometry, 1, dw);
 * ```
 */
export function depthwiseFilterGrad(
  x: Float32Array,
  dy: Float32Array,
  g: ConvGeometry,
  multiplier: number,
  dw: Float32Array,
): void {
  const c = g.inChannels;
  const outC = c * multiplier;
  dw.fill(0);
  forEachTap(g, (xAt, dyAt, tap) => {
    const wAt = tap * outC;
    for (let ci = 0; ci < c; ci++) {
      const xv = x[xAt + ci]!;
      for (let m = 0; m < multiplier; m++) {
        const o = ci * multiplier + m;
        dw[wAt + o] = dw[wAt + o]! + xv * dy[dyAt * outC + o]!;
      }
    }
  });
}

/**
 * Input gradient: scatters `w · dy` back onto the input positions. `dx`
 * (`[batch, inHeight, inWidth, inChannels]`) is overwritten.
 *
 * @example
 * ```ts
 * depthwiseInputGrad(dy, w, geometry, 1, dx);
 * ```
 */
export function depthwiseInputGrad(
  dy: Float32Array,
  w: Float32Array,
  g: ConvGeometry,
  multiplier: number,
  dx: Float32Array,
): void {
  const c = g.inChannels;
  const outC = c * multiplier;
  dx.fill(0);
  forEachTap(g, (xAt, dyAt, tap) => {
    const wAt = tap * outC;
    for (let ci = 0; ci < c; ci++) {
      let sum = 0;
      for (let m = 0; m < multiplier; m++) {
        const o = ci * multiplier + m;
        sum += w[wAt + o]! * dy[dyAt * outC + o]!;
      }
      dx[xAt + ci] = dx[xAt + ci]! + sum;
    }
  });
}

/**
 * Calls `visit(inputOffset, outputPixel, tap)` for every (output pixel, filter tap)
 * pair whose input position lies inside the image.
 */
function forEachTap(
  g: ConvGeometry,
  visit: (inputOffset: number, outputPixel: number, tap: number) => void,
): void {
  let pixel = 0;
  for (let n = 0; n < g.batchSize; n++) {
    for (let oh = 0; oh < g.outHeight; oh++) {
      for (let ow = 0; ow < g.outWidth; ow++, pixel++) {
        for (let kh = 0; kh < g.filterHeight; kh++) {
          const ih = oh * g.strideHeight + kh * g.dilationHeight - g.padTop;
          if (ih < 0 || ih >= g.inHeight) continue;
          for (let kw = 0; kw < g.filterWidth; kw++) {
            const iw = ow * g.strideWidth + kw * g.dilationWidth - g.padLeft;
            if (iw < 0 || iw >= g.inWidth) continue;
            const inputOffset = ((n * g.inHeight + ih) * g.inWidth + iw) * g.inChannels;
            visit(inputOffset, pixel, kh * g.filterWidth + kw);
          }
        }
      }
    }
  }
}
