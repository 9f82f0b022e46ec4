import assert from "node:assert/strict";
import { readBackboneInfo } from "@dropline/ml";
import { loadLayersModelFromDir, loadTensorRuntime } from "@dropline/tensor";
import { runTask } from "../../tests/support/test_context.ts";
import backbone from "./mod.ts";

Deno.test("backbone writes nsfwjs' packaged MobileNetV2 as a trainable Layers model cut at its pooled features", async () => {
  await using run = await runTask(backbone, { url: "nsfwjs:mobilenet_v2" });
  const info = await readBackboneInfo(run.outDir);
  assert.deepEqual(
    [info.modelFormat, info.sourceFormat, info.inputSize, info.channels, info.featureLayer],
    ["layers", "npm", [224, 224], 3, "flatten_1"],
  );
  assert.equal(info.featureDimension, 1280);
  assert.equal(info.preprocessingName, "unit");
  assert.match(info.source, /^nsfwjs:mobilenet_v2 \(npm nsfwjs@4\.4\.0\)$/);
  assert.deepEqual(info.weightFiles, ["group1-shard1of1.bin"]);
  assert.ok(run.infos.some((m) => /not ImageNet weights; 98 frozen layers made trainable/.test(m)));
  const rt = await loadTensorRuntime({ log: () => {} });
  const model = await loadLayersModelFromDir(rt, run.outDir);
  // Everything but BatchNorm's moving statistics trains (the package froze 98 layers).
  assert.deepEqual(
    model.nonTrainableWeights.filter((w) => !/moving_(mean|variance)$/.test(w.originalName)),
    [],
  );
  assert.equal(model.trainableWeights.length, 162);
  assert.equal(model.countParams(), 2_619_461);
  // The classifier the package was made for: 5 NSFW classes.
  assert.deepEqual(model.outputShape, [null, 5]);
  model.dispose();
});
