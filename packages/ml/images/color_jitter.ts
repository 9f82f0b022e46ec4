/**
 * torchvision's colour adjustments on float images in [0, 1] (HWC, in place):
 * brightness, contrast, saturation and hue as `ColorJitter` applies them, and
 * grayscale. Formulas follow torchvision's tensor functions (`adjust_*`,
 * `rgb_to_grayscale` with weights 0.2989, 0.587, 0.114).
 *
 * @example
 * ```ts
 * adjustBrightness(image, 1.2);
 * adjustHue(image, 0.1); // RGB only
 * ```
 */

const [WR, WG, WB] = [0.2989, 0.587, 0.114];

function clamp01(v: number): number {
  return v < 0 ? 0 : v > 1 ? 1 : v;
}

/** Multiplies every value by `factor`, clamped to [0, 1]. */
export function adjustBrightness(image: Float32Array, factor: number): void {
  for (let j = 0; j < image.length; j++) image[j] = clamp01(image[j]! * factor);
}

/** Blends towards the mean grey level of the whole image (the plain mean for non-RGB images). */
export function adjustContrast(image: Float32Array, channels: number, factor: number): void {
  let sum = 0;
  if (channels === 3) {
    for (let j = 0; j < image.length; j += 3) {
      sum += WR * image[j]! + WG * image[j + 1]! + WB * image[j + 2]!;
    }
    sum /= image.length / 3;
  } else {
    for (let j = 0; j < image.length; j++) sum += image[j]!;
    sum /= image.length;
  }
  const shift = (1 - factor) * sum;
  for (let j = 0; j < image.length; j++) image[j] = clamp01(factor * image[j]! + shift);
}

/** Blends each RGB pixel towards its grey level. */
export function adjustSaturation(image: Float32Array, factor: number): void {
  for (let j = 0; j < image.length; j += 3) {
    const r = image[j]!, g = image[j + 1]!, b = image[j + 2]!;
    const grey = (1 - factor) * (WR * r + WG * g + WB * b);
    image[j] = clamp01(factor * r + grey);
    image[j + 1] = clamp01(factor * g + grey);
    image[j + 2] = clamp01(factor * b + grey);
  }
}

/** Replaces every RGB pixel by its grey level in all three channels. */
export function toGrayscale(image: Float32Array): void {
  for (let j = 0; j < image.length; j += 3) {
    const grey = WR * image[j]! + WG * image[j + 1]! + WB * image[j + 2]!;
    image[j] = image[j + 1] = image[j + 2] = grey;
  }
}

/** Rotates the hue of each RGB pixel by `shift` turns (in [-0.5, 0.5]) through HSV. */
export function adjustHue(image: Float32Array, shift: number): void {
  for (let j = 0; j < image.length; j += 3) {
    const r = image[j]!, g = image[j + 1]!, b = image[j + 2]!;
    const max = Math.max(r, g, b), min = Math.min(r, g, b), range = max - min;
    if (range === 0) continue; // grey: hue is undefined and the pixel does not change
    const s = range / max;
    let h: number;
    if (max === r) h = (g - b) / range;
    else if (max === g) h = 2 + (b - r) / range;
    else h = 4 + (r - g) / range;
    h = h / 6 + shift;
    h -= Math.floor(h);
    hsvToRgb(h, s, max, image, j);
  }
}

function hsvToRgb(h: number, s: number, v: number, out: Float32Array, j: number): void {
  const scaled = h * 6, i = Math.floor(scaled) % 6, f = scaled - Math.floor(scaled);
  const p = clamp01(v * (1 - s)), q = clamp01(v * (1 - s * f)), t = clamp01(v * (1 - s * (1 - f)));
  const [r, g, b] = i === 0
    ? [v, t, p]
    : i === 1
    ? [q, v, p]
    : i === 2
    ? [p, v, t]
    : i === 3
    ? [p, q, v]
    : i === 4
    ? [t, p, v]
    : [v, p, q];
  out[j] = r;
  out[j + 1] = g;
  out[j + 2] = b;
}
