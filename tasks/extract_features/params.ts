/** The `with` parameters of an `extract_features` stage. */
import { z } from "zod";
import { BackendParam } from "@dropline/tensor";

export const ExtractParams = z.strictObject({
  backbone: z.string().min(1).describe("backbone directory: model.json, weights, backbone.json"),
  dataset: z.string().min(1).describe("data set directory"),
  layer: z.string().min(1).optional().describe(
    "layer (Layers) or node (Graph) to cut at; default: backbone.json's feature layer, else the model output",
  ),
  pool: z.enum(["avg", "max", "flatten"]).default("avg").describe(
    "how an output with spatial axes becomes a vector: global average, global max, or flatten",
  ),
  resize: z.enum(["bilinear", "nearest"]).default("bilinear").describe(
    "resampling when the images' size differs from the model's input size",
  ),
  batch_size: z.int().positive().default(64).describe("images per forward pass"),
  backend: BackendParam,
});

/** The validated `with` of an `extract_features` stage. */
export type ExtractParams = z.output<typeof ExtractParams>;
