/**
 * How a data set's uint8 images become a backbone's inputs: channel mapping
 * (gray to RGB and back, RGBA to RGB), resizing to the model's input size,
 * then the backbone's pixel pre-processing `((v * scale + offset) - mean[c]) / std[c]`.
 *
 * The plan is pure data (checked once per stage); the batch conversion is a
 * handful of tensor ops, meant to run inside `tf.tidy`.
 */
import type * as TfCore from "@tensorflow/tfjs-core";
import type { Preprocessing } from "@dropline/ml";
import type { Tf } from "@dropline/tensor";

/** How the data set's channels map onto the model's. */
export type ChannelMap = "same" | "tile" | "luminance" | "drop_alpha";

/** Resampling used when image and model sizes differ. */
export type ResizeMethod = "bilinear" | "nearest";

/** Everything needed to turn a batch of images into model inputs. */
export interface InputPlan {
  /** Data set image shape: height, width, channels. */
  from: [number, number, number];
  /** Model input shape: height, width, channels. */
  to: [number, number, number];
  channels: ChannelMap;
  /** `none` when the sizes already agree. */
  resize: ResizeMethod | "none";
  preprocessing: Preprocessing;
}

/** What the plan needs to know about the model. */
export interface ModelInput {
  inputSize: [number, number];
  channels: number;
  preprocessing: Preprocessing;
}

// ITU-R BT.601 weights, as PIL's convert("L") uses.
const LUMA = [0.299, 0.587, 0.114];

/**
 * The channel mapping from `from` to `to` channels, or null when there is no
 * sensible one (2-channel ColoredMNIST into an RGB model, say).
 */
export function channelMap(from: number, to: number): ChannelMap | null {
  if (from === to) return "same";
  if (from === 1) return "tile";
  if (to === 1 && (from === 3 || from === 4)) return "luminance";
  if (from === 4 && to === 3) return "drop_alpha";
  return null;
}

/**
 * Plans the conversion of `imageShape` images for `model`. Throws a
 * `RangeError` when the channels cannot be mapped or mean/std have the wrong length.
 */
export function inputPlan(
  imageShape: readonly [number, number, number],
  model: ModelInput,
  resize: ResizeMethod = "bilinear",
): InputPlan {
  const [h, w, c] = imageShape;
  const to: [number, number, number] = [model.inputSize[0], model.inputSize[1], model.channels];
  const channels = channelMap(c, to[2]);
  if (!channels) {
    throw new RangeError(
      `Cannot feed ${c}-channel images to a backbone that expects ${to[2]} channels`,
    );
  }
  const { mean, std } = model.preprocessing;
  for (const [name, values] of [["mean", mean], ["std", std]] as const) {
    if (values.length !== 1 && values.length !== to[2]) {
      throw new RangeError(
        `Pre-processing ${name} has ${values.length} values, expected 1 or ${
          to[2]
        } (one per channel)`,
      );
    }
  }
  const sameSize = h === to[0] && w === to[1];
  return {
    from: [h, w, c],
    to,
    channels,
    resize: sameSize ? "none" : resize,
    preprocessing: model.preprocessing,
  };
}

/**
 * Per-channel affine form of the pre-processing: input = v * a[c] + b[c].
 *
 * @example
 * ```ts
 * affineOf({ scale: 1 / 255, offset: 0, mean: [0.5], std: [0.5] }, 1); // { a: [2/255], b: [-1] }
 * ```
 */
export function affineOf(pre: Preprocessing, channels: number): { a: number[]; b: number[] } {
  const at = (values: readonly number[], k: number) => values[values.length === 1 ? 0 : k]!;
  const a: number[] = [], b: number[] = [];
  for (let k = 0; k < channels; k++) {
    const std = at(pre.std, k);
    a.push(pre.scale / std);
    b.push((pre.offset - at(pre.mean, k)) / std);
  }
  return { a, b };
}

/**
 * `n` images (uint8, HWC, back to back) as a float [n, h, w, c] model input.
 * Creates intermediate tensors: call it inside `tf.tidy`.
 */
export function inputBatch(tf: Tf, plan: InputPlan, pixels: Uint8Array, n: number) {
  const [h, w, c] = plan.from;
  let x: TfCore.Tensor4D = tf.tensor4d(Float32Array.from(pixels), [n, h, w, c]);
  x = mapChannels(tf, x, plan);
  if (plan.resize === "bilinear") {
    x = tf.image.resizeBilinear(x, [plan.to[0], plan.to[1]], false, true);
  } else if (plan.resize === "nearest") {
    x = tf.image.resizeNearestNeighbor(x, [plan.to[0], plan.to[1]], false, true);
  }
  const { a, b } = affineOf(plan.preprocessing, plan.to[2]);
  return tf.add(tf.mul(x, tf.tensor1d(a)), tf.tensor1d(b)) as TfCore.Tensor4D;
}

function mapChannels(tf: Tf, x: TfCore.Tensor4D, plan: InputPlan): TfCore.Tensor4D {
  switch (plan.channels) {
    case "same":
      return x;
    case "tile":
      return tf.tile(x, [1, 1, 1, plan.to[2]]);
    case "drop_alpha":
      return tf.slice(x, [0, 0, 0, 0], [-1, -1, -1, 3]);
    case "luminance": {
      const rgb = tf.slice(x, [0, 0, 0, 0], [-1, -1, -1, 3]);
      return tf.sum(tf.mul(rgb, tf.tensor1d(LUMA)), -1, true) as TfCore.Tensor4D;
    }
  }
}
