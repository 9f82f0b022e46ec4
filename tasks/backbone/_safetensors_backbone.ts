/**
 * A torchvision/timm ResNet `model.safetensors` (an https URL, a file URL or
 * a local path) turned into a trainable TF.js Layers model directory
 * (`model.json` + `weights.bin`) that any Layers loader reads. The download
 * goes to the checkpoint directory (resumed after an interruption, removed
 * once the stage publishes); a local file is read in place. Every tensor is
 * checked against the architecture before anything is built.
 */
import { type BackboneInfo, openSafetensors, type SafetensorsFile } from "@dropline/ml";
import { resolveSource, sha256File } from "@dropline/fetch";
import type { ResNetSpec, TensorMismatch } from "@dropline/tensor";
import { type TaskContext, TaskError } from "@dropline/task";
import { fetchForTask } from "../_shared/fetch_for_task.ts";
import { againstWorkDir, localPathOf } from "../_shared/source_path.ts";
import { resolvePreprocessing } from "./_preprocessing.ts";
import type { BackboneParams } from "./params.ts";

/** Converts the file into `ctx.outDir`; returns what backbone.json records. */
export async function convertSafetensorsBackbone(
  ctx: TaskContext<BackboneParams>,
): Promise<BackboneInfo> {
  const p = ctx.params;
  const url = resolveSource(againstWorkDir(p.url, ctx.workDir));
  const path = await localCopy(ctx, url);
  const file = await openSafetensors(path, { name: url.href });
  let spec: ResNetSpec;
  try {
    spec = await buildInto(ctx, file, url);
  } finally {
    file.close();
  }
  return await describe(ctx, url, spec);
}

/** The file on disk: a local one in place (checksum verified), else downloaded. */
async function localCopy(ctx: TaskContext<BackboneParams>, url: URL): Promise<string> {
  const local = localPathOf(url.href);
  if (!local) {
    const path = `${ctx.checkpointDir}/model.safetensors`;
    await fetchForTask(ctx, url.href, path, { ...ctx.params, partialName: "model.safetensors" });
    return path;
  }
  const exists = await Deno.stat(local).then((s) => s.isFile, () => false);
  if (!exists) throw new TaskError(`Safetensors file "${local}" does not exist`);
  if (ctx.params.sha256) {
    const actual = await sha256File(local);
    if (actual !== ctx.params.sha256.toLowerCase()) {
      throw new TaskError(
        `Checksum mismatch for "${local}": sha256 ${actual}, expected ${ctx.params.sha256}`,
      );
    }
  }
  return local;
}

async function buildInto(
  ctx: TaskContext<BackboneParams>,
  file: SafetensorsFile,
  url: URL,
): Promise<ResNetSpec> {
  const architecture = ctx.params.architecture!;
  const tensor = await import("@dropline/tensor");
  let spec: ResNetSpec;
  try {
    spec = tensor.resnetSpecOf(architecture, file, file.metadata);
  } catch (error) {
    throw new TaskError(`"${url}": ${(error as Error).message}`, { cause: error });
  }
  const mismatch = tensor.compareResNetTensors(spec, file);
  if (mismatch) throw new TaskError(mismatchMessage(url, architecture, spec, mismatch));
  const notFloat = [...tensor.resnetTensorShapes(spec).keys()]
    .filter((name) => !FLOAT_DTYPES.includes(file.tensors.get(name)!.dtype))
    .map((name) => `${name} (${file.tensors.get(name)!.dtype})`);
  if (notFloat.length) {
    throw new TaskError(`"${url}": weights must be F32, F16, BF16 or F64: ${notFloat.join(", ")}`);
  }
  ctx.log.info(
    `${architecture}: ${spec.block} blocks ${JSON.stringify(spec.layers)}, width ${spec.width}, ` +
      `fc ${spec.classes ?? "none"}; ${file.tensors.size} tensors fit`,
  );
  const rt = await tensor.loadTensorRuntime({ log: (m) => ctx.log.info(m) });
  const model = tensor.resnet(rt.tf, spec, { name: architecture });
  try {
    await tensor.loadTorchResNetWeights(rt.tf, model, spec, file);
    await tensor.saveModelToDir(model, ctx.outDir);
  } finally {
    model.dispose();
  }
  return spec;
}

const FLOAT_DTYPES = ["F32", "F16", "BF16", "F64"];
const LISTED = 12;

/** "N missing (a, b, ...), M extra (...), K misshaped (...)". */
export function mismatchMessage(
  url: URL,
  architecture: string,
  spec: ResNetSpec,
  mismatch: TensorMismatch,
): string {
  const list = (names: string[], what: string) => {
    if (!names.length) return [];
    const shown = names.slice(0, LISTED).join(", ");
    const more = names.length > LISTED ? `, and ${names.length - LISTED} more` : "";
    return [`${names.length} ${what} (${shown}${more})`];
  };
  const parts = [
    ...list(mismatch.missing, "missing"),
    ...list(mismatch.extra, "unexpected"),
    ...list(mismatch.misshaped, "misshaped"),
  ];
  return `"${url}" does not fit ${architecture} (${spec.block} blocks ${
    JSON.stringify(spec.layers)
  }, width ${spec.width}): tensors ${parts.join("; ")}`;
}

async function describe(
  ctx: TaskContext<BackboneParams>,
  url: URL,
  spec: ResNetSpec,
): Promise<BackboneInfo> {
  const p = ctx.params;
  const size = p.input_size ?? 224;
  const inputSize: [number, number] = typeof size === "number" ? [size, size] : size;
  const preprocessing = resolvePreprocessing(p.preprocessing, 3);
  if (typeof preprocessing === "string") throw new TaskError(preprocessing);
  const { RESNET_FEATURES } = await import("@dropline/tensor");
  const featureLayer = p.feature_layer ?? RESNET_FEATURES;
  let featureDimension: number | null = null;
  if (p.check_load) {
    const { checkModel } = await import("./_check_model.ts");
    featureDimension = await checkModel({
      dir: ctx.outDir,
      format: "layers",
      inputShape: [...inputSize, 3],
      featureLayer,
      log: ctx.log.info,
    });
  }
  return {
    format: "dropline-backbone",
    version: 1,
    modelFormat: "layers",
    source: url.href,
    inputSize,
    channels: 3,
    preprocessing,
    featureLayer,
    featureDimension,
    weightFiles: ["weights.bin"],
    sourceFormat: "safetensors",
    ...(typeof p.preprocessing === "string" ? { preprocessingName: p.preprocessing } : {}),
    architecture: { name: p.architecture!, ...spec },
  };
}
