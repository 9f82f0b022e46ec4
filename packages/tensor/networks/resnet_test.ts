import assert from "node:assert/strict";
import { openSafetensors } from "@dropline/ml";
import { loadTensorRuntime } from "../runtime.ts";
import { loadLayersModelFromDir, saveModelToDir } from "../fs_io.ts";
import {
  fixtureArray,
  readFixtureJson,
  relativeError,
  RESNET_FIXTURES,
} from "../../../tests/support/resnet_fixture.ts";
import { resnet, RESNET_ARCHITECTURES, RESNET_FEATURES, type ResNetSpec } from "./resnet.ts";
import {
  compareResNetTensors,
  loadTorchResNetWeights,
  resnetSpecOf,
  resnetTensorShapes,
} from "./resnet_weights.ts";

const rt = await loadTensorRuntime({ log: () => {} });
const { tf } = rt;
type Tensor = InstanceType<typeof tf.Tensor>;
const [inputs, forward] = [
  await readFixtureJson("inputs.json"),
  await readFixtureJson("forward.json"),
];

/** A fixture network with its weights, built as the backbone task builds it. */
async function fixtureNet(file: string) {
  using source = await openSafetensors(`${RESNET_FIXTURES}${file}`);
  const architecture = source.metadata.architecture as "resnet18" | "resnet50";
  const spec = resnetSpecOf(architecture, source, source.metadata);
  assert.equal(compareResNetTensors(spec, source), null);
  const model = resnet(tf, spec);
  await loadTorchResNetWeights(tf, model, spec, source);
  return { model, spec };
}

async function inputBatch(size: number): Promise<Tensor> {
  const { data, shape } = await fixtureArray(inputs.arrays[`input_${size}`]);
  return tf.tensor(data, shape);
}

Deno.test("resnet() has torchvision's parameter counts, tensor shapes and feature sizes", () => {
  const counts = { resnet18: 11_689_512, resnet34: 21_797_672, resnet50: 25_557_032 };
  for (const [name, spec] of Object.entries(RESNET_ARCHITECTURES)) {
    // Trainable parameters: every tensor but BatchNorm's running statistics.
    const trainable = [...resnetTensorShapes(spec)]
      .filter(([tensor]) => !/running_(mean|var)$/.test(tensor))
      .reduce((n, [, shape]) => n + shape.reduce((a, b) => a * b, 1), 0);
    assert.equal(trainable, counts[name as keyof typeof counts], name);
  }
  // One full-size network (building allocates and initialises every weight).
  const model = resnet(tf, RESNET_ARCHITECTURES.resnet50, { inputSize: [224, 224] });
  const built = model.trainableWeights.reduce(
    (n, w) => n + w.shape.reduce((a, b) => a! * b!, 1)!,
    0,
  );
  assert.equal(built, counts.resnet50);
  assert.deepEqual(model.getLayer(RESNET_FEATURES).outputShape, [null, 2048]);
  assert.deepEqual(model.getLayer("layer4.0.out").outputShape, [null, 7, 7, 2048]);
  assert.deepEqual(model.getLayer("layer2.0.conv2_pad").outputShape, [null, 58, 58, 128]);
  assert.deepEqual(model.outputShape, [null, 1000]);
  model.dispose();
  // torchvision's state_dict of resnet50 has 320 entries, 53 of them num_batches_tracked.
  assert.equal(resnetTensorShapes(RESNET_ARCHITECTURES.resnet50).size, 320 - 53);
  assert.deepEqual(
    resnetTensorShapes(RESNET_ARCHITECTURES.resnet18).get("layer2.0.downsample.0.weight"),
    [128, 64, 1, 1],
  );
});

for (const net of ["resnet18_tiny", "resnet50_tiny"]) {
  Deno.test(`${net}: features, logits and stages agree with PyTorch at 64, 40 and 33 px`, async () => {
    const { model } = await fixtureNet(`${net}.safetensors`);
    const stageNames = ["conv1", "stem", "layer1", "layer2", "layer3", "layer4"];
    const last = (stage: number) =>
      model.layers.filter((l) => l.name.startsWith(`layer${stage}.`)).at(-1)!.name;
    const stageLayers = ["conv1", "maxpool", ...[1, 2, 3, 4].map(last)];
    const probe = tf.model({
      inputs: model.inputs,
      outputs: [RESNET_FEATURES, "fc", ...stageLayers].map((n) =>
        model.getLayer(n).output as never
      ),
    });
    for (const size of [64, 40, 33]) {
      const expected = forward.cases[`${net}_${size}`];
      const x = await inputBatch(size);
      const outs = probe.predict(x) as Tensor[];
      const errors: Record<string, number> = {
        features: relativeError(
          await outs[0]!.data(),
          (await fixtureArray(expected.features)).data,
        ),
        logits: relativeError(await outs[1]!.data(), (await fixtureArray(expected.logits)).data),
      };
      if (expected.stages) {
        for (const [i, name] of stageNames.entries()) {
          const want = await fixtureArray(expected.stages[name]);
          const got = tf.slice(outs[2 + i]!, 0, 1);
          assert.deepEqual(got.shape, want.shape, name);
          errors[name] = relativeError(await got.data(), want.data);
          got.dispose();
        }
      }
      for (const [name, error] of Object.entries(errors)) {
        assert.ok(error < 1e-4, `${net} at ${size} px: ${name} relative error ${error}`);
      }
      tf.dispose([x, ...outs]);
    }
    model.dispose();
  });
}

Deno.test("resnet18_tiny stored as F16 and BF16 agrees with PyTorch on the rounded weights", async () => {
  for (const dtype of ["f16", "bf16"]) {
    const { model } = await fixtureNet(`resnet18_tiny_${dtype}.safetensors`);
    const expected = forward.cases[`resnet18_tiny_${dtype}_64`];
    const x = await inputBatch(64);
    const logits = model.predict(x) as Tensor;
    const error = relativeError(await logits.data(), (await fixtureArray(expected.logits)).data);
    assert.ok(error < 1e-4, `${dtype}: logits relative error ${error}`);
    tf.dispose([x, logits]);
    model.dispose();
  }
});

Deno.test("compareResNetTensors() lists missing, extra and misshaped tensors", async () => {
  using source = await openSafetensors(`${RESNET_FIXTURES}resnet18_tiny.safetensors`);
  const as34: ResNetSpec = { ...RESNET_ARCHITECTURES.resnet34, width: 8, classes: 10 };
  const mismatch = compareResNetTensors(as34, source)!;
  assert.ok(mismatch.missing.includes("layer1.2.conv1.weight"));
  assert.ok(mismatch.missing.includes("layer3.5.bn2.running_var"));
  assert.deepEqual([mismatch.extra, mismatch.misshaped], [[], []]);
  const wide = compareResNetTensors({ ...as34, layers: [2, 2, 2, 2], width: 16 }, source)!;
  assert.ok(wide.misshaped.includes("conv1.weight [8,3,7,7] (expected [16,3,7,7])"));
  const as50 = compareResNetTensors(resnetSpecOf("resnet50", source), source)!;
  assert.ok(as50.missing.includes("layer1.0.conv3.weight"));
  assert.ok(as50.misshaped.includes("layer1.0.conv1.weight [8,8,3,3] (expected [8,8,1,1])"));
  assert.ok(as50.extra.includes("layer1.0.downsample.0.weight") === false);
  assert.throws(
    () => resnetSpecOf("resnet50", source, source.metadata),
    /metadata says architecture "resnet18", not resnet50/,
  );
  assert.throws(
    () => resnetSpecOf("resnet50", source, { block: "BasicBlock" }),
    /metadata says block "BasicBlock", but resnet50 has bottleneck blocks/,
  );
});

Deno.test("a loaded ResNet saves as a standard Layers model that loads back with the same outputs", async () => {
  const { model } = await fixtureNet("resnet50_tiny.safetensors");
  const dir = await Deno.makeTempDir();
  try {
    await saveModelToDir(model, dir);
    const json = JSON.parse(await Deno.readTextFile(`${dir}/model.json`));
    const classes = new Set<string>(
      json.modelTopology.config.layers.map((l: { class_name: string }) => l.class_name),
    );
    assert.deepEqual([...classes].sort(), [
      "Add",
      "BatchNormalization",
      "Conv2D",
      "Dense",
      "GlobalAveragePooling2D",
      "InputLayer",
      "MaxPooling2D",
      "ReLU",
      "ZeroPadding2D",
    ]);
    const again = await loadLayersModelFromDir(rt, dir);
    const x = await inputBatch(40);
    const [a, b] = [model.predict(x) as Tensor, again.predict(x) as Tensor];
    assert.deepEqual(await a.data(), await b.data());
    assert.equal(again.getLayer("layer2.0.conv2_pad").getClassName(), "ZeroPadding2D");
    tf.dispose([x, a, b]);
    again.dispose();
  } finally {
    model.dispose();
    await Deno.remove(dir, { recursive: true });
  }
});
