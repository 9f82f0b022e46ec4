/**
 * DomainBed's training augmentation for image data sets, in plain TypeScript
 * over typed arrays: `RandomResizedCrop(size, scale=(0.7, 1))`,
 * `RandomHorizontalFlip()`, `ColorJitter(0.3, 0.3, 0.3, 0.3)` (the four
 * adjustments in a random order, as torchvision applies them) and
 * `RandomGrayscale(0.1)`. The caller then applies the backbone's
 * normalisation. Colour operations need RGB: on 1- or 2-channel images only
 * brightness and contrast apply.
 *
 * Every draw comes from a generator seeded by `(seed, step, position in the
 * batch)`, so an augmented batch depends only on those three numbers: a run
 * resumed at step s augments exactly as an uninterrupted one.
 *
 * Values stay in [0, 1] floats between operations (torchvision's tensor path);
 * PIL would round to 8 bits after each one.
 *
 * @example
 * ```ts
 * const out = new Float32Array(224 * 224 * 3);
 * augmentImage(pixels, [224, 224, 3], out, [224, 224], augmentRandom(0, step, k), DOMAINBED_AUGMENT);
 * ```
 */
import { Prng } from "../prng.ts";
import {
  adjustBrightness,
  adjustContrast,
  adjustHue,
  adjustSaturation,
  toGrayscale,
} from "./color_jitter.ts";
import { type CropBox, cropResize } from "./resize.ts";

/** What the augmentation does; {@link DOMAINBED_AUGMENT} is DomainBed's. */
export interface AugmentOptions {
  /** Range of the crop's area as a fraction of the image's. */
  scale: [number, number];
  /** Range of the crop's aspect ratio (width / height). */
  ratio: [number, number];
  /** Probability of a horizontal flip. */
  flip: number;
  /** Jitter strengths: factors in [1 - x, 1 + x]; hue shifts in [-hue, hue] turns. */
  brightness: number;
  contrast: number;
  saturation: number;
  hue: number;
  /** Probability of turning an RGB image grey. */
  grayscale: number;
}

/** DomainBed's `augment_transform` (domainbed/datasets.py). */
export const DOMAINBED_AUGMENT: Readonly<AugmentOptions> = Object.freeze({
  scale: [0.7, 1] as [number, number],
  ratio: [3 / 4, 4 / 3] as [number, number],
  flip: 0.5,
  brightness: 0.3,
  contrast: 0.3,
  saturation: 0.3,
  hue: 0.3,
  grayscale: 0.1,
});

/**
 * The generator of one image's augmentation: depends only on the run's seed,
 * the training step and the image's position in the batch.
 */
export function augmentRandom(seed: number, step: number, position: number): Prng {
  return Prng.fromParts("augment", seed, step, position);
}

/**
 * Augments one uint8 HWC image into `out` (floats in [0, 1], `size` x channels).
 * Returns `out`.
 */
export function augmentImage(
  src: Uint8Array,
  shape: readonly [number, number, number],
  out: Float32Array,
  size: readonly [number, number],
  rng: Prng,
  options: Readonly<AugmentOptions> = DOMAINBED_AUGMENT,
): Float32Array {
  const c = shape[2];
  cropResize(src, shape, randomCrop(shape[0], shape[1], rng, options), out, size);
  if (rng.next() < options.flip) flipHorizontally(out, size[1], c);
  const order = rng.shuffle([0, 1, 2, 3]);
  const factor = (x: number) => 1 - x + 2 * x * rng.next();
  const brightness = factor(options.brightness);
  const contrast = factor(options.contrast);
  const saturation = factor(options.saturation);
  const hue = options.hue * (2 * rng.next() - 1);
  for (const op of order) {
    if (op === 0 && options.brightness > 0) adjustBrightness(out, brightness);
    else if (op === 1 && options.contrast > 0) adjustContrast(out, c, contrast);
    else if (op === 2 && options.saturation > 0 && c === 3) adjustSaturation(out, saturation);
    else if (op === 3 && options.hue > 0 && c === 3) adjustHue(out, hue);
  }
  if (rng.next() < options.grayscale && c === 3) toGrayscale(out);
  return out;
}

/** torchvision's `RandomResizedCrop.get_params`: 10 tries, then a centre crop. */
export function randomCrop(
  height: number,
  width: number,
  rng: Prng,
  options: Pick<AugmentOptions, "scale" | "ratio">,
): CropBox {
  const area = height * width;
  const [logLow, logHigh] = [Math.log(options.ratio[0]), Math.log(options.ratio[1])];
  for (let attempt = 0; attempt < 10; attempt++) {
    const target = area * (options.scale[0] + (options.scale[1] - options.scale[0]) * rng.next());
    const aspect = Math.exp(logLow + (logHigh - logLow) * rng.next());
    const w = Math.round(Math.sqrt(target * aspect));
    const h = Math.round(Math.sqrt(target / aspect));
    if (w > 0 && h > 0 && w <= width && h <= height) {
      return { top: rng.int(height - h + 1), left: rng.int(width - w + 1), height: h, width: w };
    }
  }
  const ratio = width / height;
  let [h, w] = [height, width];
  if (ratio < options.ratio[0]) h = Math.round(w / options.ratio[0]);
  else if (ratio > options.ratio[1]) w = Math.round(h * options.ratio[1]);
  return {
    top: Math.floor((height - h) / 2),
    left: Math.floor((width - w) / 2),
    height: h,
    width: w,
  };
}

function flipHorizontally(image: Float32Array, width: number, channels: number): void {
  const row = width * channels;
  for (let start = 0; start < image.length; start += row) {
    for (let a = 0, b = width - 1; a < b; a++, b--) {
      for (let k = 0; k < channels; k++) {
        const i = start + a * channels + k, j = start + b * channels + k;
        const t = image[i]!;
        image[i] = image[j]!;
        image[j] = t;
      }
    }
  }
}
