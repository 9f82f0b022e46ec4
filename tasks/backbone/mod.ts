/**
 * `backbone`: fetches a TF.js model (`model.json` and the weight files its
 * manifest names) from an http(s) URL, a file URL or a local path into the
 * stage's output, verified (optional sha256 of model.json; weight sizes
 * against the manifest; a test load), and records `backbone.json`: format,
 * input size, pixel pre-processing and the feature layer.
 */
import { z } from "zod";
import type { BackboneInfo } from "@dropline/ml";
import { safeEntryPath } from "@dropline/fetch";
import { defineTask, type TaskContext, TaskError } from "@dropline/task";
import { fetchForTask } from "../_shared/fetch_for_task.ts";
import * as manifest from "./_model_manifest.ts";
import { localModelDir, modelJsonUrl, weightUrl } from "./_model_url.ts";
import { PreprocessingParam, resolvePreprocessing } from "./_preprocessing.ts";
import { againstWorkDir } from "../_shared/source_path.ts";

const BackboneParams = z.strictObject({
  url: z.string().min(1).describe(
    "model.json URL (http(s) or file), or a local model.json or directory",
  ),
  sha256: z.string().regex(/^[0-9a-fA-F]{64}$/, "must be 64 hex digits").nullish()
    // null (a pipeline param whose checksum is not known yet) means "not verified", as absent does.
    .transform((v) => v ?? undefined)
    .describe("expected SHA-256 of model.json (which pins the weight files' names and sizes)"),
  format: z.enum(["auto", "layers", "graph"]).default("auto")
    .describe("expected model format; layers is needed to fine-tune the backbone"),
  input_size: z.union([z.int().positive(), z.tuple([z.int().positive(), z.int().positive()])])
    .optional()
    .describe("input height and width (N or [h, w]); default: the model's own input shape"),
  channels: z.int().positive().optional().describe("input channels; default: the model's, else 3"),
  preprocessing: PreprocessingParam,
  feature_layer: z.string().min(1).optional()
    .describe("layer (or graph node) giving the features; default: the pooled penultimate output"),
  check_load: z.boolean().default(true).describe("load the model and run one image to verify it"),
  retries: z.int().min(0).default(5).describe("retries after failures that made no progress"),
  retry_delay: z.number().min(0).default(1).describe("seconds before the first retry (doubling)"),
  stall_timeout: z.number().positive().default(60).describe("seconds without data before retrying"),
});

type BackboneParams = z.output<typeof BackboneParams>;

export default defineTask({
  name: "backbone",
  version: 1,
  description:
    "Fetches a TF.js model (Layers or Graph) with its weights and records its input and pre-processing",
  module: import.meta.url,
  schema: BackboneParams,
  outputs: () => ["model.json", "backbone.json"],
  inputFiles: (params) => {
    const dir = localModelDir(params.url);
    return dir ? [dir] : [];
  },
  async run(ctx) {
    const params = ctx.params;
    const modelUrl = await modelJsonUrl(againstWorkDir(params.url, ctx.workDir));
    await fetchForTask(ctx, modelUrl.href, `${ctx.outDir}/model.json`, {
      ...params,
      partialName: "model.json",
    });
    const json = await readModelJson(`${ctx.outDir}/model.json`, modelUrl);
    const format = checkFormat(json, modelUrl, params.format);
    const weightFiles = await fetchWeights(ctx, json, modelUrl);
    const info = await describe(ctx, json, modelUrl, format, weightFiles);
    await Deno.writeTextFile(`${ctx.outDir}/backbone.json`, JSON.stringify(info, null, 2) + "\n");
    ctx.log.info(
      `Backbone: ${format} model, input ${info.inputSize.join("x")}x${info.channels}, ` +
        `features ${info.featureLayer ?? "(model output)"}${
          info.featureDimension ? ` (${info.featureDimension})` : ""
        }`,
    );
  },
});

async function readModelJson(path: string, url: URL): Promise<manifest.ModelJson> {
  try {
    return JSON.parse(await Deno.readTextFile(path));
  } catch {
    throw new TaskError(`"${url}" is not a TF.js model.json (not valid JSON)`);
  }
}

function checkFormat(
  json: manifest.ModelJson,
  url: URL,
  wanted: BackboneParams["format"],
): "layers" | "graph" {
  const format = manifest.modelFormatOf(json);
  if (!format) {
    throw new TaskError(`"${url}" is not a TF.js model.json (no Layers or Graph topology)`);
  }
  if (wanted !== "auto" && wanted !== format) {
    throw new TaskError(`"${url}" is a ${format} model, but format "${wanted}" was asked for`);
  }
  return format;
}

async function fetchWeights(
  ctx: TaskContext<BackboneParams>,
  json: manifest.ModelJson,
  modelUrl: URL,
) {
  const files: string[] = [];
  let bytes = 0;
  for (const path of manifest.weightPathsOf(json)) {
    const relative = safeEntryPath(path);
    if (!relative) {
      throw new TaskError(`Weight path "${path}" in "${modelUrl}" leaves the model directory`);
    }
    const url = weightUrl(modelUrl, path).href;
    const result = await fetchForTask(ctx, url, `${ctx.outDir}/${relative}`, {
      ...ctx.params,
      sha256: undefined,
      partialName: relative.replaceAll("/", "_"),
    });
    files.push(relative);
    bytes += result.bytes;
  }
  const expected = manifest.expectedWeightBytes(json);
  if (expected !== null && expected !== bytes) {
    throw new TaskError(
      `Weight files of "${modelUrl}" hold ${bytes} bytes, but its manifest describes ${expected}`,
    );
  }
  return files;
}

async function describe(
  ctx: TaskContext<BackboneParams>,
  json: manifest.ModelJson,
  modelUrl: URL,
  format: "layers" | "graph",
  weightFiles: string[],
): Promise<BackboneInfo> {
  const params = ctx.params;
  const own = manifest.inputShapeOf(json);
  const size = params.input_size ?? (own ? [own[0], own[1]] : null);
  if (!size) {
    throw new TaskError(`The model at "${modelUrl}" does not fix its input size: set input_size`);
  }
  const inputSize: [number, number] = typeof size === "number" ? [size, size] : size;
  const channels = params.channels ?? own?.[2] ?? 3;
  const preprocessing = resolvePreprocessing(params.preprocessing, channels);
  if (typeof preprocessing === "string") throw new TaskError(preprocessing);
  const featureLayer = params.feature_layer ?? manifest.defaultFeatureLayer(json);
  let featureDimension: number | null = null;
  if (params.check_load) {
    const { checkModel } = await import("./_check_model.ts");
    const inputShape: [number, number, number] = [...inputSize, channels];
    featureDimension = await checkModel({
      dir: ctx.outDir,
      format,
      inputShape,
      featureLayer,
      log: ctx.log.info,
    });
  }
  return {
    format: "dropline-backbone",
    version: 1,
    modelFormat: format,
    source: modelUrl.href,
    inputSize,
    channels,
    preprocessing,
    featureLayer,
    featureDimension,
    weightFiles,
  };
}
