/**
 * Pure group-normalisation loops over channels-last float32 arrays viewed as
 * `[batch, spatial, channels]`. Fusing normalisation, scale and shift (and the
 * three gradients) into two or three passes replaces ~15 elementwise TF.js ops.
 *
 * @module
 */

/** The layout of one group norm call. */
export interface GroupNormShape {
  batch: number;
  /** Product of the dimensions between batch and channels (1 for `[N, C]`). */
  spatial: number;
  channels: number;
  groups: number;
  epsilon: number;
}

/**
 * Per (example, group): mean and reciprocal standard deviation, as
 * `[batch * groups]` arrays.
 *
 * @example
 * ```ts
 * const { mean, rstd } = groupStats(x, { batch: 1, spatial: 1, channels: 2, groups: 1, epsilon: 0 });
 * ```
 */
export function groupStats(x: Float32Array, s: GroupNormShape) {
  const per = s.channels / s.groups;
  const count = s.spatial * per;
  const mean = new Float64Array(s.batch * s.groups);
  const rstd = new Float64Array(s.batch * s.groups);
  const sum = new Float64Array(s.groups);
  const sq = new Float64Array(s.groups);
  for (let n = 0; n < s.batch; n++) {
    sum.fill(0);
    sq.fill(0);
    let at = n * s.spatial * s.channels;
    for (let p = 0; p < s.spatial; p++) {
      for (let g = 0; g < s.groups; g++) {
        let a = 0, b = 0;
        for (let k = 0; k < per; k++, at++) {
          const v = x[at]!;
          a += v;
          b += v * v;
        }
        sum[g] = sum[g]! + a;
        sq[g] = sq[g]! + b;
      }
    }
    for (let g = 0; g < s.groups; g++) {
      const m = sum[g]! / count;
      // E[x²] - E[x]² in float64 is accurate enough for activations of this size.
      const variance = Math.max(0, sq[g]! / count - m * m);
      mean[n * s.groups + g] = m;
      rstd[n * s.groups + g] = 1 / Math.sqrt(variance + s.epsilon);
    }
  }
  return { mean, rstd };
}

/**
 * y = (x - mean) · rstd · gamma + beta, per channel.
 *
 * @example
 * ```ts
 * groupNormForward(x, gamma, beta, shape, y);
 * ```
 */
export function groupNormForward(
  x: Float32Array,
  gamma: Float32Array,
  beta: Float32Array,
  s: GroupNormShape,
  y: Float32Array,
): void {
  const { mean, rstd } = groupStats(x, s);
  const per = s.channels / s.groups;
  const scale = new Float32Array(s.channels);
  const shift = new Float32Array(s.channels);
  for (let n = 0; n < s.batch; n++) {
    for (let c = 0; c < s.channels; c++) {
      const g = n * s.groups + Math.floor(c / per);
      scale[c] = rstd[g]! * gamma[c]!;
      shift[c] = beta[c]! - mean[g]! * scale[c]!;
    }
    const start = n * s.spatial * s.channels;
    for (let p = 0; p < s.spatial; p++) {
      const row = start + p * s.channels;
      for (let c = 0; c < s.channels; c++) y[row + c] = x[row + c]! * scale[c]! + shift[c]!;
    }
  }
}

/**
 * Gradients of {@linkcode groupNormForward}: writes `dx` (like x), `dgamma` and
 * `dbeta` (`[channels]`).
 *
 * @example
 * ```ts
 * groupNormBackward(dy, x, gamma, shape, dx, dgamma, dbeta);
 * ```
 */
export function groupNormBackward(
  dy: Float32Array,
  x: Float32Array,
  gamma: Float32Array,
  s: GroupNormShape,
  dx: Float32Array,
  dgamma: Float32Array,
  dbeta: Float32Array,
): void {
  const { mean, rstd } = groupStats(x, s);
  const per = s.channels / s.groups;
  const count = s.spatial * per;
  const sumDy = new Float64Array(s.channels);
  const sumDyX = new Float64Array(s.channels);
  const dg = new Float64Array(s.channels);
  const db = new Float64Array(s.channels);
  for (let n = 0; n < s.batch; n++) {
    sumDy.fill(0);
    sumDyX.fill(0);
    const start = n * s.spatial * s.channels;
    for (let p = 0; p < s.spatial; p++) {
      const row = start + p * s.channels;
      for (let c = 0; c < s.channels; c++) {
        sumDy[c] = sumDy[c]! + dy[row + c]!;
        sumDyX[c] = sumDyX[c]! + dy[row + c]! * x[row + c]!;
      }
    }
    // Per group: a = mean(dxhat), b = mean(dxhat · xhat); dx = rstd·(dxhat - a - xhat·b).
    const coefX = new Float32Array(s.channels);
    const coefDy = new Float32Array(s.channels);
    const bias = new Float32Array(s.channels);
    for (let g = 0; g < s.groups; g++) {
      const i = n * s.groups + g;
      const m = mean[i]!, r = rstd[i]!;
      let a = 0, b = 0;
      for (let c = g * per; c < (g + 1) * per; c++) {
        const xhatDot = (sumDyX[c]! - m * sumDy[c]!) * r;
        dg[c] = dg[c]! + xhatDot;
        db[c] = db[c]! + sumDy[c]!;
        a += gamma[c]! * sumDy[c]!;
        b += gamma[c]! * xhatDot;
      }
      a /= count;
      b /= count;
      for (let c = g * per; c < (g + 1) * per; c++) {
        coefDy[c] = r * gamma[c]!;
        coefX[c] = -r * r * b;
        bias[c] = -r * a + r * r * b * m;
      }
    }
    for (let p = 0; p < s.spatial; p++) {
      const row = start + p * s.channels;
      for (let c = 0; c < s.channels; c++) {
        dx[row + c] = coefDy[c]! * dy[row + c]! + coefX[c]! * x[row + c]! + bias[c]!;
      }
    }
  }
  dgamma.set(dg);
  dbeta.set(db);
}
