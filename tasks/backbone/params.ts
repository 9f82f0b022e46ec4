/** The `with` parameters of a `backbone` stage. */
import { z } from "zod";
import { PreprocessingParam } from "./_preprocessing.ts";
import { NSFWJS_MODELS, nsfwjsModelOf } from "./_nsfwjs_source.ts";

/** torchvision architectures a safetensors file can hold. */
export const ARCHITECTURES = ["resnet18", "resnet34", "resnet50"] as const;

const Fields = z.strictObject({
  url: z.string().min(1).describe(
    "model.json or model.safetensors: http(s) URL, file URL or local path (a directory means " +
      `its model.json); or a Layers model the nsfwjs package ships (${
        NSFWJS_MODELS.map((m) => `nsfwjs:${m}`).join(", ")
      })`,
  ),
  sha256: z.string().regex(/^[0-9a-fA-F]{64}$/, "must be 64 hex digits").nullish()
    // null (a pipeline param whose checksum is not known yet) means "not verified", as absent does.
    .transform((v) => v ?? undefined)
    .describe(
      "expected SHA-256 of model.json (which pins the weight files) or of the safetensors file",
    ),
  format: z.enum(["auto", "layers", "graph", "safetensors"]).default("auto").describe(
    "expected format; auto: safetensors for a .safetensors URL, else what model.json says. " +
      "layers and safetensors give a trainable network",
  ),
  architecture: z.enum(ARCHITECTURES).optional()
    .describe("network of a safetensors file (torchvision/timm tensor names); required for one"),
  input_size: z.union([z.int().positive(), z.tuple([z.int().positive(), z.int().positive()])])
    .optional()
    .describe(
      "input height and width (N or [h, w]); default: the model's own, 224 for safetensors",
    ),
  channels: z.int().positive().optional().describe("input channels; default: the model's, else 3"),
  preprocessing: PreprocessingParam,
  feature_layer: z.string().min(1).optional().describe(
    "layer (or graph node) giving the features; default: the pooled penultimate output",
  ),
  check_load: z.boolean().default(true).describe("load the model and run one image to verify it"),
  retries: z.int().min(0).default(5).describe("retries after failures that made no progress"),
  retry_delay: z.number().min(0).default(1).describe("seconds before the first retry (doubling)"),
  stall_timeout: z.number().positive().default(60).describe("seconds without data before retrying"),
});

/** Whether a stage reads a safetensors file (format, or `auto` and a `.safetensors` URL). */
function isSafetensors(p: { url: string; format: string }): boolean {
  if (p.format !== "auto") return p.format === "safetensors";
  return /\.safetensors$/i.test(p.url.replace(/[?#].*$/, ""));
}

/** `with` of a `backbone` stage, checked as a whole; `format: auto` resolved for safetensors URLs. */
export const BackboneParams = Fields.superRefine((p, ctx) => {
  const issue = (path: string, message: string) =>
    ctx.addIssue({ code: "custom", path: [path], message });
  if (isSafetensors(p)) {
    if (!p.architecture) {
      issue("architecture", `a safetensors file needs one of ${ARCHITECTURES.join(", ")}`);
    }
    if (p.channels !== undefined && p.channels !== 3) {
      issue("channels", "a ResNet takes 3 channels");
    }
  } else if (p.architecture) {
    issue("architecture", "applies to safetensors files only (set format: safetensors)");
  }
  if (p.url.startsWith("nsfwjs:") && !nsfwjsModelOf(p.url)) {
    issue(
      "url",
      `unknown nsfwjs model: expected one of ${NSFWJS_MODELS.map((m) => `nsfwjs:${m}`).join(", ")}`,
    );
  }
}).transform((p) => {
  const safetensors = isSafetensors(p);
  return {
    ...p,
    format: safetensors ? "safetensors" as const : p.format as "auto" | "layers" | "graph",
    // Keys of existing stages stay: the default is still "unit" for TF.js models.
    preprocessing: p.preprocessing ?? (safetensors ? "imagenet" as const : "unit" as const),
  };
});

/** The validated `with` of a `backbone` stage. */
export type BackboneParams = z.output<typeof BackboneParams>;
