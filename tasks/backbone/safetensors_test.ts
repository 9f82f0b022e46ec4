import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readBackboneInfo } from "@dropline/ml";
import { loadLayersModelFromDir, loadTensorRuntime } from "@dropline/tensor";
import { TaskError } from "@dropline/task";
import { serveFiles } from "../../tests/support/file_server.ts";
import { runTask } from "../../tests/support/test_context.ts";
import {
  fixtureArray,
  readFixtureJson,
  relativeError,
  RESNET_FIXTURES,
} from "../../tests/support/resnet_fixture.ts";
import backbone from "./mod.ts";

const rt = await loadTensorRuntime({ log: () => {} });
type Tensor = InstanceType<typeof rt.tf.Tensor>;
const resnet18 = await Deno.readFile(`${RESNET_FIXTURES}resnet18_tiny.safetensors`);
const sha = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

/** The fixture's header and data, re-encoded after `edit` changes the header. */
type Header = Record<string, { dtype: string; shape: number[] }>;

function withHeader(bytes: Uint8Array, edit: (header: Header) => void): Uint8Array {
  const length = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + length)));
  edit(header);
  const json = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + bytes.length - 8 - length);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(bytes.subarray(8 + length), 8 + json.length);
  return out;
}

Deno.test("backbone converts a served ResNet safetensors file into a Layers model that matches PyTorch", async () => {
  await using server = serveFiles({ "timm/resnet18/model.safetensors": resnet18 });
  await using run = await runTask(backbone, {
    url: `${server.url}timm/resnet18/model.safetensors`,
    architecture: "resnet18",
    sha256: sha(resnet18),
    input_size: 64,
  });
  const info = await readBackboneInfo(run.outDir);
  assert.deepEqual(
    [info.modelFormat, info.sourceFormat, info.featureLayer, info.featureDimension, info.inputSize],
    ["layers", "safetensors", "avgpool", 64, [64, 64]],
  );
  assert.deepEqual(info.preprocessing, {
    scale: 1 / 255,
    offset: 0,
    mean: [0.485, 0.456, 0.406],
    std: [0.229, 0.224, 0.225],
  });
  assert.equal(info.preprocessingName, "imagenet");
  assert.deepEqual(info.architecture, {
    name: "resnet18",
    block: "basic",
    layers: [2, 2, 2, 2],
    width: 8,
    classes: 10,
  });
  assert.deepEqual(info.weightFiles, ["weights.bin"]);
  // The output is a plain Layers directory: TF.js' own loader reads it, and it computes PyTorch's logits.
  const model = await loadLayersModelFromDir(rt, run.outDir);
  const [inputs, forward] = [
    await readFixtureJson("inputs.json"),
    await readFixtureJson("forward.json"),
  ];
  const input = await fixtureArray(inputs.arrays.input_40);
  const x = rt.tf.tensor(input.data, input.shape);
  const logits = model.predict(x) as Tensor;
  const expected = await fixtureArray(forward.cases.resnet18_tiny_40.logits);
  assert.ok(relativeError(await logits.data(), expected.data) < 1e-4);
  rt.tf.dispose([x, logits]);
  model.dispose();
});

Deno.test("backbone reads a local safetensors path in place and keys on it; auto-detects the format", async () => {
  const path = `${RESNET_FIXTURES}resnet50_tiny.safetensors`;
  const params = backbone.schema.parse({ url: path, architecture: "resnet50" }) as {
    format: string;
    preprocessing: string;
  };
  assert.deepEqual([params.format, params.preprocessing], ["safetensors", "imagenet"]);
  assert.deepEqual(backbone.inputFiles?.(params), [path]);
  await using run = await runTask(backbone, { url: `file://${path}`, architecture: "resnet50" });
  const info = await readBackboneInfo(run.outDir);
  assert.deepEqual([info.featureDimension, info.inputSize, info.architecture?.layers], [
    256,
    [224, 224],
    [2, 1, 1, 1],
  ]);
  assert.ok(
    run.infos.some((m) => /resnet50: bottleneck blocks \[2,1,1,1\], width 8, fc 10/.test(m)),
  );
});

Deno.test("backbone validates safetensors parameters before running", () => {
  const problems = (params: Record<string, unknown>) => {
    const result = backbone.schema.safeParse(params);
    return result.success
      ? []
      : result.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
  };
  assert.deepEqual(problems({ url: "https://h/model.safetensors" }), [
    "architecture: a safetensors file needs one of resnet18, resnet34, resnet50",
  ]);
  assert.deepEqual(problems({ url: "m/model.json", architecture: "resnet50" }), [
    "architecture: applies to safetensors files only (set format: safetensors)",
  ]);
  assert.deepEqual(problems({ url: "nsfwjs:vgg16" }), [
    "url: unknown nsfwjs model: expected one of nsfwjs:mobilenet_v2, nsfwjs:inception_v3",
  ]);
  assert.deepEqual(problems({ url: "w", format: "safetensors", architecture: "resnet18" }), []);
});

Deno.test("backbone rejects bad safetensors files with a message naming what is wrong", async () => {
  const misshaped = withHeader(resnet18, (h) => h["conv1.weight"]!.shape = [8, 7, 7, 3]);
  const renamed = withHeader(resnet18, (h) => {
    h["fc.weights"] = h["fc.weight"]!;
    delete h["fc.weight"];
  });
  const badDtype = withHeader(resnet18, (h) => h["bn1.weight"]!.dtype = "Q4");
  const ints = withHeader(resnet18, (h) => h["bn1.weight"]!.dtype = "I32");
  const bare = withHeader(resnet18, (h) => delete h.__metadata__);
  await using server = serveFiles({
    "ok.safetensors": resnet18,
    "short.safetensors": resnet18.subarray(0, resnet18.length - 1000),
    "misshaped.safetensors": misshaped,
    "renamed.safetensors": renamed,
    "dtype.safetensors": badDtype,
    "ints.safetensors": ints,
    "bare.safetensors": bare,
    "notes.txt": "not a safetensors file at all",
  });
  const fails = async (name: string, params: Record<string, unknown>, pattern: RegExp) =>
    await assert.rejects(
      () =>
        runTask(backbone, {
          url: `${server.url}${name}`,
          format: "safetensors",
          retries: 0,
          ...params,
        }),
      (e: Error) => e instanceof TaskError && pattern.test(e.message),
      pattern.source,
    );
  const r18 = { architecture: "resnet18" };
  await fails(
    "short.safetensors",
    r18,
    /short\.safetensors": tensor "[\w.]+" ends at byte \d+ of the data, but the file holds only \d+ \(truncated\?\)/,
  );
  await fails(
    "misshaped.safetensors",
    r18,
    /tensors 1 misshaped \(conv1\.weight \[8,7,7,3\] \(expected \[8,3,7,7\]\)\)/,
  );
  await fails(
    "renamed.safetensors",
    r18,
    /tensors 1 missing \(fc\.weight\); 1 unexpected \(fc\.weights\)/,
  );
  await fails("dtype.safetensors", r18, /tensor "bn1\.weight" has unknown dtype "Q4"/);
  await fails(
    "ints.safetensors",
    r18,
    /weights must be F32, F16, BF16 or F64: bn1\.weight \(I32\)/,
  );
  await fails(
    "notes.txt",
    r18,
    /Invalid safetensors file ".*notes\.txt": header length \d+ exceeds/,
  );
  await fails(
    "ok.safetensors",
    { architecture: "resnet34" },
    /metadata says architecture "resnet18", not resnet34/,
  );
  await fails(
    "bare.safetensors",
    { architecture: "resnet34" },
    /does not fit resnet34 \(basic blocks \[3,4,6,3\], width 8\): tensors 80 missing \(layer1\.2\.conv1\.weight, .*, and 68 more\)$/,
  );
  await fails(
    "bare.safetensors",
    { architecture: "resnet50" },
    /does not fit resnet50 .* missing .* misshaped \(layer1\.0\.conv1\.weight \[8,8,3,3\] \(expected \[8,8,1,1\]\)/,
  );
  await fails("ok.safetensors", { ...r18, sha256: "a".repeat(64) }, /Checksum mismatch/);
  await fails("missing.safetensors", r18, /404/);
});
