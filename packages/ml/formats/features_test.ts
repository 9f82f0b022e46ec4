import assert from "node:assert/strict";
import { readFeatures, writeFeatures } from "./features.ts";
import { writeNpy } from "./npy_file.ts";

const input = {
  info: {
    backbone: "http://127.0.0.1/model.json",
    layer: "pool",
    dimension: 3,
    preprocessing: { scale: 1 / 255, offset: 0, mean: [0, 0, 0], std: [1, 1, 1] },
    classes: ["a", "b"],
    domains: ["x", "y"],
    holdoutFraction: 0.2,
    splitSeed: 0,
  },
  features: new Float32Array([1, 2, 3, 4, 5, 6]),
  labels: new Int32Array([0, 1]),
  domains: new Int32Array([1, 1]),
  split: new Uint8Array([0, 1]),
};

Deno.test("writeFeatures() writes a directory that readFeatures() reads back", async () => {
  const dir = await Deno.makeTempDir();
  const info = await writeFeatures(dir, input);
  assert.deepEqual(info.counts, { x: { in: 0, out: 0 }, y: { in: 1, out: 1 } });
  const back = await readFeatures(dir);
  assert.deepEqual(back.info, info);
  assert.deepEqual(back.features, input.features);
  assert.deepEqual(back.split, input.split);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("writeFeatures() and readFeatures() reject mismatched shapes", async () => {
  const dir = await Deno.makeTempDir();
  await assert.rejects(
    () => writeFeatures(dir, { ...input, features: new Float32Array(5) }),
    /Features hold 5 values, expected 2 x 3/,
  );
  await writeFeatures(dir, input);
  await writeNpy(`${dir}/features.npy`, {
    dtype: "float32",
    shape: [2, 2],
    data: new Float32Array(4),
  });
  await assert.rejects(
    () => readFeatures(dir),
    /features\.npy is float32 \(2,2\), expected float32 \(2,3\)/,
  );
  await Deno.remove(dir, { recursive: true });
});
