/** Pure image and label transforms of RotatedMNIST and ColoredMNIST (DomainBed's procedures). */
import type { Prng } from "@dropline/ml";

/**
 * Rotates a single-channel `size` x `size` image counter-clockwise by
 * `degrees` about its centre, with bilinear interpolation and 0 outside (as
 * torchvision's `rotate(img, angle, BILINEAR, fill=0)`).
 */
export function rotateBilinear(image: Uint8Array, size: number, degrees: number): Uint8Array {
  const out = new Uint8Array(size * size);
  const theta = (degrees * Math.PI) / 180;
  const cos = Math.cos(theta);
  const sin = Math.sin(theta);
  const c = (size - 1) / 2;
  const at = (
    x: number,
    y: number,
  ) => (x < 0 || y < 0 || x >= size || y >= size ? 0 : image[y * size + x]!);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      // Inverse map: the source point that lands on (x, y); y grows downwards.
      const dx = x - c;
      const dy = y - c;
      const sx = c + dx * cos - dy * sin;
      const sy = c + dx * sin + dy * cos;
      const x0 = Math.floor(sx + 1e-9);
      const y0 = Math.floor(sy + 1e-9);
      const fx = Math.max(0, sx - x0);
      const fy = Math.max(0, sy - y0);
      const top = at(x0, y0) * (1 - fx) + at(x0 + 1, y0) * fx;
      const bottom = at(x0, y0 + 1) * (1 - fx) + at(x0 + 1, y0 + 1) * fx;
      out[y * size + x] = Math.round(top * (1 - fy) + bottom * fy);
    }
  }
  return out;
}

/**
 * ColoredMNIST's labels and colours for one environment: label = 1 for
 * digits 0-4, flipped with probability `labelNoise`; colour = label, flipped
 * with probability `colorFlip` (the environment's e).
 */
export function coloredLabels(
  digits: ArrayLike<number>,
  colorFlip: number,
  labelNoise: number,
  rng: Prng,
): { labels: Uint8Array; colors: Uint8Array } {
  const labels = new Uint8Array(digits.length);
  const colors = new Uint8Array(digits.length);
  for (let i = 0; i < digits.length; i++) {
    const label = (digits[i]! < 5 ? 1 : 0) ^ (rng.bernoulli(labelNoise) ? 1 : 0);
    labels[i] = label;
    colors[i] = label ^ (rng.bernoulli(colorFlip) ? 1 : 0);
  }
  return { labels, colors };
}

/**
 * A two-channel HWC image with the digit in channel `color` and the other
 * channel zero; `subsample` keeps every second row and column (28 -> 14).
 */
export function colorDigit(
  image: Uint8Array,
  size: number,
  color: number,
  subsample: boolean,
): Uint8Array {
  const step = subsample ? 2 : 1;
  const side = Math.ceil(size / step);
  const out = new Uint8Array(side * side * 2);
  for (let y = 0; y < side; y++) {
    for (let x = 0; x < side; x++) {
      out[(y * side + x) * 2 + color] = image[y * step * size + x * step]!;
    }
  }
  return out;
}

/** DomainBed's ColoredMNIST environment names: "+90%" for e = 0.1, "-90%" for e = 0.9. */
export function coloredName(colorFlip: number): string {
  return colorFlip <= 0.5
    ? `+${Math.round(100 * (1 - colorFlip))}%`
    : `-${Math.round(100 * colorFlip)}%`;
}
