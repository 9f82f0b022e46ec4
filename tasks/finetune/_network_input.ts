/**
 * Model inputs of the backbone path. Evaluation resizes only, with the same
 * tensor ops as `extract_features` (so a linear probe trained on extracted
 * features sees the representation the network computes). Training applies
 * the augmentation, if any, in TypeScript - seeded by (seed, step, position
 * in the batch) - then the channel mapping and the backbone's normalisation.
 */
import type * as TfCore from "@tensorflow/tfjs-core";
import { augmentImage, type AugmentOptions, augmentRandom, DOMAINBED_AUGMENT } from "@dropline/ml";
import type { Tf } from "@dropline/tensor";
import { affineOf, inputBatch, type InputPlan } from "../_shared/extract_input.ts";

const LUMA = [0.299, 0.587, 0.114];

export interface TrainInput {
  plan: InputPlan;
  /** null: no augmentation (training inputs are evaluation inputs). */
  augment: Readonly<AugmentOptions> | null;
  seed: number;
}

/** Evaluation inputs of `n` images; call inside `tf.tidy`. */
export function evalInput(tf: Tf, plan: InputPlan, pixels: Uint8Array, n: number) {
  return inputBatch(tf, plan, pixels, n);
}

/**
 * Training inputs of `n` images at `step`, the first being at `position` in
 * the step's batch; call inside `tf.tidy`.
 */
export function trainInput(
  tf: Tf,
  input: TrainInput,
  pixels: Uint8Array,
  n: number,
  step: number,
  position: number,
): TfCore.Tensor4D {
  const { plan, augment } = input;
  if (!augment) return inputBatch(tf, plan, pixels, n);
  const [h, w, c] = plan.from, [oh, ow, oc] = plan.to;
  const size = h * w * c, work = new Float32Array(oh * ow * c);
  const out = new Float32Array(n * oh * ow * oc);
  const { a, b } = affineOf(plan.preprocessing, oc);
  for (let k = 0; k < n; k++) {
    const src = pixels.subarray(k * size, (k + 1) * size);
    augmentImage(
      src,
      plan.from,
      work,
      [oh, ow],
      augmentRandom(input.seed, step, position + k),
      augment,
    );
    writeChannels(work, c, plan.channels, out.subarray(k * oh * ow * oc), oc, a, b);
  }
  return tf.tensor4d(out, [n, oh, ow, oc]);
}

/** Maps [0, 1] values of `c` channels to the model's channels and normalisation. */
function writeChannels(
  work: Float32Array,
  c: number,
  map: InputPlan["channels"],
  out: Float32Array,
  oc: number,
  a: number[],
  b: number[],
): void {
  const pixels = work.length / c;
  for (let p = 0; p < pixels; p++) {
    for (let t = 0; t < oc; t++) {
      let v: number;
      if (map === "tile") v = work[p * c]!;
      else if (map === "luminance") {
        v = LUMA[0]! * work[p * c]! + LUMA[1]! * work[p * c + 1]! + LUMA[2]! * work[p * c + 2]!;
      } else v = work[p * c + t]!; // same, or drop_alpha (the first three of four)
      out[p * oc + t] = v * 255 * a[t]! + b[t]!;
    }
  }
}

/**
 * The augmentation `augment` asks for on images with `channels` channels:
 * `auto` is DomainBed's for RGB images (its image data sets) and none for
 * others (DomainBed does not augment its MNIST variants).
 */
export function resolveAugment(
  param: "auto" | boolean | Partial<AugmentOptions>,
  channels: number,
): Readonly<AugmentOptions> | null {
  if (param === false || (param === "auto" && channels !== 3)) return null;
  if (param === true || param === "auto") return DOMAINBED_AUGMENT;
  return { ...DOMAINBED_AUGMENT, ...param };
}
