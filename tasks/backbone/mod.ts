/**
 * `backbone`: a pre-trained network in the stage's output as a TF.js model
 * directory (`model.json` + weights) with `backbone.json` (format, input
 * size, pixel pre-processing, feature layer). Sources:
 * - a TF.js Layers or Graph model (`model.json` and its weight shards) from
 *   an http(s) URL, a file URL or a local path, fetched and verified;
 * - a torchvision/timm ResNet-18/34/50 `model.safetensors`, converted into a
 *   trainable Layers model (`_safetensors_backbone.ts`);
 * - `nsfwjs:mobilenet_v2` / `nsfwjs:inception_v3`, the Keras Layers models
 *   the npm package nsfwjs ships (`_nsfwjs_source.ts`), offline.
 */
import type { BackboneInfo } from "@dropline/ml";
import { defineTask, type TaskContext, withTaskErrors } from "@dropline/task";
import { localModelDir, modelJsonUrl } from "./_model_url.ts";
import { nsfwjsModelOf } from "./_nsfwjs_source.ts";
import { againstWorkDir, localPathOf } from "../_shared/source_path.ts";
import { BackboneParams } from "./params.ts";

export default defineTask({
  name: "backbone",
  version: 1,
  description:
    "Fetches a TF.js model (Layers or Graph) or converts a ResNet safetensors file into a trainable Layers model, and records its input and pre-processing",
  module: import.meta.url,
  schema: BackboneParams,
  outputs: () => ["model.json", "backbone.json"],
  inputFiles: (params) => {
    if (nsfwjsModelOf(params.url)) return [];
    if (params.format === "safetensors") {
      const path = localPathOf(params.url);
      return path ? [path] : [];
    }
    const dir = localModelDir(params.url);
    return dir ? [dir] : [];
  },
  // A malformed file or mismatched weights (SyntaxError, RangeError from the readers) is a message.
  run: withTaskErrors(async (ctx) => {
    const info = await backboneInfo(ctx);
    await Deno.writeTextFile(`${ctx.outDir}/backbone.json`, JSON.stringify(info, null, 2) + "\n");
    ctx.log.info(
      `Backbone: ${info.modelFormat} model, input ${info.inputSize.join("x")}x${info.channels}, ` +
        `features ${info.featureLayer ?? "(model output)"}${
          info.featureDimension ? ` (${info.featureDimension})` : ""
        }`,
    );
  }),
});

async function backboneInfo(ctx: TaskContext<BackboneParams>): Promise<BackboneInfo> {
  const params = ctx.params;
  if (params.format === "safetensors") {
    const { convertSafetensorsBackbone } = await import("./_safetensors_backbone.ts");
    return await convertSafetensorsBackbone(ctx);
  }
  const { fetchTfjsBackbone } = await import("./_tfjs_backbone.ts");
  const packaged = nsfwjsModelOf(params.url);
  if (packaged) {
    const { writeNsfwjsModel } = await import("./_nsfwjs_source.ts");
    const dir = `${ctx.checkpointDir}/nsfwjs`;
    const { featureLayer, unfrozen } = await writeNsfwjsModel(packaged, dir);
    ctx.log.info(
      `nsfwjs ${packaged}: an NSFW classifier fine-tuned from ImageNet weights, not ImageNet ` +
        `weights; ${unfrozen} frozen layers made trainable`,
    );
    return await fetchTfjsBackbone(ctx, {
      modelUrl: await modelJsonUrl(dir),
      source: `${params.url} (npm nsfwjs@4.4.0)`,
      featureLayer,
      sourceFormat: "npm",
      verify: false,
    });
  }
  const modelUrl = await modelJsonUrl(againstWorkDir(params.url, ctx.workDir));
  return await fetchTfjsBackbone(ctx, { modelUrl, sourceFormat: "tfjs", verify: true });
}
