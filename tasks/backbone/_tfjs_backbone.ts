/**
 * A TF.js model (`model.json` and the weight files its manifest names) from
 * an http(s) URL, a file URL or a local path, fetched into the stage's
 * output and verified (optional sha256 of model.json; weight sizes against
 * the manifest; a test load), with its `backbone.json`.
 */
import type { BackboneInfo } from "@dropline/ml";
import { safeEntryPath } from "@dropline/fetch";
import { type TaskContext, TaskError } from "@dropline/task";
import { fetchForTask } from "../_shared/fetch_for_task.ts";
import * as manifest from "./_model_manifest.ts";
import { weightUrl } from "./_model_url.ts";
import { resolvePreprocessing } from "./_preprocessing.ts";
import type { BackboneParams } from "./params.ts";

/** How the model was found, beyond `ctx.params`. */
export interface TfjsSource {
  /** The model.json URL. */
  modelUrl: URL;
  /** Recorded as `source` in backbone.json; default the URL. */
  source?: string;
  /** Used when `feature_layer` is not set; default the pooled penultimate layer. */
  featureLayer?: string;
  sourceFormat: "tfjs" | "npm";
  /** Whether `sha256` applies to this model.json (not for packaged models). */
  verify: boolean;
}

/** Fetches, checks and describes the model; returns what backbone.json records. */
export async function fetchTfjsBackbone(
  ctx: TaskContext<BackboneParams>,
  from: TfjsSource,
): Promise<BackboneInfo> {
  const { modelUrl } = from;
  await fetchForTask(ctx, modelUrl.href, `${ctx.outDir}/model.json`, {
    ...ctx.params,
    sha256: from.verify ? ctx.params.sha256 : undefined,
    partialName: "model.json",
  });
  const json = await readModelJson(`${ctx.outDir}/model.json`, modelUrl);
  const format = checkFormat(json, modelUrl, ctx.params.format);
  const weightFiles = await fetchWeights(ctx, json, modelUrl);
  return await describe(ctx, json, from, format, weightFiles);
}

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
  from: TfjsSource,
  format: "layers" | "graph",
  weightFiles: string[],
): Promise<BackboneInfo> {
  const params = ctx.params;
  const own = manifest.inputShapeOf(json);
  const size = params.input_size ?? (own ? [own[0], own[1]] : null);
  if (!size) {
    throw new TaskError(
      `The model at "${from.modelUrl}" does not fix its input size: set input_size`,
    );
  }
  const inputSize: [number, number] = typeof size === "number" ? [size, size] : size;
  const channels = params.channels ?? own?.[2] ?? 3;
  const preprocessing = resolvePreprocessing(params.preprocessing, channels);
  if (typeof preprocessing === "string") throw new TaskError(preprocessing);
  const featureLayer = params.feature_layer ?? from.featureLayer ??
    manifest.defaultFeatureLayer(json);
  let featureDimension: number | null = null;
  if (params.check_load) {
    const { checkModel } = await import("./_check_model.ts");
    featureDimension = await checkModel({
      dir: ctx.outDir,
      format,
      inputShape: [...inputSize, channels],
      featureLayer,
      log: ctx.log.info,
    });
  }
  return {
    format: "dropline-backbone",
    version: 1,
    modelFormat: format,
    source: from.source ?? from.modelUrl.href,
    inputSize,
    channels,
    preprocessing,
    featureLayer,
    featureDimension,
    weightFiles,
    sourceFormat: from.sourceFormat,
    ...(typeof params.preprocessing === "string"
      ? { preprocessingName: params.preprocessing }
      : {}),
  };
}
