/** Pixel pre-processing presets and parameters of the `backbone` task. */
import { z } from "zod";
import type { Preprocessing } from "@dropline/ml";

/** Named pre-processings of common backbones. */
export const PRESETS = {
  /** [0, 1]: TF Hub image feature vectors (MobileNet v2, ResNet v2). */
  unit: { scale: 1 / 255, offset: 0 },
  /** [-1, 1]: Keras MobileNet v1/v2 Layers models. */
  symmetric: { scale: 2 / 255, offset: -1 },
  /** [0, 1] then ImageNet mean and std per channel (torchvision models). */
  imagenet: { scale: 1 / 255, offset: 0, mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] },
  /** Raw 0-255 values. */
  none: { scale: 1, offset: 0 },
} as const;

/** `with.preprocessing`: a preset name or explicit values. */
export const PreprocessingParam = z.union([
  z.enum(Object.keys(PRESETS) as [keyof typeof PRESETS, ...(keyof typeof PRESETS)[]]),
  z.strictObject({
    scale: z.number().default(1 / 255),
    offset: z.number().default(0),
    mean: z.array(z.number()).min(1).optional(),
    std: z.array(z.number().positive()).min(1).optional(),
  }),
]).optional().describe(
  "preset (unit, symmetric, imagenet, none) or {scale, offset, mean, std}; " +
    "default: imagenet for safetensors, else unit",
);

type Given = {
  scale: number;
  offset: number;
  mean?: readonly number[] | undefined;
  std?: readonly number[] | undefined;
};

/** The full pre-processing for `channels`, or an error message when mean/std lengths do not fit. */
export function resolvePreprocessing(
  param: NonNullable<z.output<typeof PreprocessingParam>>,
  channels: number,
): Preprocessing | string {
  const given: Given = typeof param === "string" ? PRESETS[param] : param;
  const mean = given.mean ? [...given.mean] : Array(channels).fill(0);
  const std = given.std ? [...given.std] : Array(channels).fill(1);
  if (mean.length !== channels || std.length !== channels) {
    return `Pre-processing mean and std need ${channels} values (one per channel), got ${mean.length} and ${std.length}`;
  }
  return { scale: given.scale, offset: given.offset, mean, std };
}
