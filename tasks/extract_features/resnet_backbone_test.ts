import assert from "node:assert/strict";
import { createDatasetWriter, readFeatures } from "@dropline/ml";
import { makeTestContext, runTask } from "../../tests/support/test_context.ts";
import {
  fixtureArray,
  readFixtureJson,
  relativeError,
  RESNET_FIXTURES,
} from "../../tests/support/resnet_fixture.ts";
import backbone from "../backbone/mod.ts";
import extractFeatures from "./mod.ts";

Deno.test("extract_features on a safetensors ResNet: uint8 pixels in, PyTorch's pooled features out, resumed between batches", async () => {
  const [inputs, forward] = [
    await readFixtureJson("inputs.json"),
    await readFixtureJson("forward.json"),
  ];
  const images = await fixtureArray(inputs.arrays.image_uint8_40);
  const dataset = await Deno.makeTempDir({ prefix: "dropline-resnet-images-" });
  try {
    const writer = await createDatasetWriter(dataset, {
      classes: ["a", "b"],
      domains: ["d"],
      imageShape: [40, 40, 3],
    });
    const size = 40 * 40 * 3;
    for (let i = 0; i < 4; i++) {
      await writer.add(images.data.slice(i * size, (i + 1) * size) as Uint8Array, i % 2, 0);
    }
    await writer.finish();
    await using net = await runTask(backbone, {
      url: `${RESNET_FIXTURES}resnet50_tiny.safetensors`,
      architecture: "resnet50",
      input_size: 40,
    });
    // Three images per batch: the second batch is a partial one. The first attempt is
    // interrupted after its first batch; the second resumes from the checkpoint.
    const params = extractFeatures.schema.parse({ backbone: net.outDir, dataset, batch_size: 3 });
    const stop = new AbortController();
    await using first = await makeTestContext(params, { signal: stop.signal });
    first.ctx.progress = () => stop.abort();
    await assert.rejects(() => extractFeatures.run(first.ctx), /Interrupted/);
    await using run = await makeTestContext(params, { checkpointDir: first.checkpointDir });
    await extractFeatures.run(run.ctx);
    assert.ok(run.infos.includes("Resuming after 3 of 4 images (rows kept in the checkpoint)"));
    assert.deepEqual(run.progress.map((p) => p.done), [4]);
    const { info, features } = await readFeatures(run.outDir);
    assert.deepEqual([info.count, info.dimension], [4, 256]);
    const expected = await fixtureArray(forward.cases.resnet50_tiny_40.features);
    const error = relativeError(features, expected.data);
    assert.ok(error < 1e-4, `features relative error ${error}`);
  } finally {
    await Deno.remove(dataset, { recursive: true });
  }
});
