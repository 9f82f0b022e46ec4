import assert from "node:assert/strict";
import { readDataset, readDatasetInfo } from "./dataset.ts";
import { createDatasetWriter } from "./dataset_writer.ts";
import { writeNpy } from "./npy_file.ts";

async function writeSmall(dir: string) {
  const writer = await createDatasetWriter(dir, {
    classes: ["a", "b"],
    domains: ["x", "y"],
    imageShape: [2, 1, 3],
    splitSeed: 4,
    source: { task: "test" },
  });
  for (let i = 0; i < 12; i++) await writer.add(new Uint8Array(6).fill(i), i % 2, i < 10 ? 0 : 1);
  await assert.rejects(() => writer.add(new Uint8Array(5), 0, 0), /expected 6 \(2,1,3\)/);
  await assert.rejects(
    () => writer.add(new Uint8Array(6), 2, 0),
    /Label index 2 is outside \[0, 2\)/,
  );
  return await writer.finish();
}

Deno.test("createDatasetWriter() writes a data set that readDataset() reads back", async () => {
  const dir = await Deno.makeTempDir();
  const info = await writeSmall(dir);
  assert.deepEqual(info.counts, { x: { in: 8, out: 2 }, y: { in: 1, out: 1 } });
  assert.equal(info.splitSeed, 4);
  assert.equal(info.holdoutFraction, 0.2);
  const data = await readDataset(dir);
  assert.deepEqual(data.info, info);
  assert.deepEqual([...data.labels], [0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1]);
  assert.deepEqual([...data.domains].slice(9), [0, 1, 1]);
  assert.equal(data.split.reduce((a, b) => a + b, 0), 3);
  const images = await data.openImages();
  try {
    const rows = await images.readRows(11, 1);
    assert.deepEqual(rows.shape, [1, 2, 1, 3]);
    assert.deepEqual(rows.data, new Uint8Array(6).fill(11));
  } finally {
    images.close();
  }
  await Deno.remove(dir, { recursive: true });
});

Deno.test("readDataset() names the file and field of an inconsistent data set", async () => {
  const dir = await Deno.makeTempDir();
  await writeSmall(dir);
  await writeNpy(`${dir}/labels.npy`, { dtype: "int32", shape: [3], data: new Int32Array(3) });
  await assert.rejects(
    () => readDataset(dir),
    /labels\.npy is int32 \(3\), expected int32 \(12,\)/,
  );
  await writeNpy(`${dir}/labels.npy`, {
    dtype: "int32",
    shape: [12],
    data: new Int32Array(12).fill(5),
  });
  await assert.rejects(() => readDataset(dir), /labels\.npy holds 5, outside \[0, 2\)/);
  const json = JSON.parse(await Deno.readTextFile(`${dir}/dataset.json`));
  await Deno.writeTextFile(`${dir}/dataset.json`, JSON.stringify({ ...json, imageShape: [2, 1] }));
  await assert.rejects(() => readDatasetInfo(dir), /Invalid ".*dataset\.json" at "imageShape"/);
  await Deno.remove(`${dir}/dataset.json`);
  await assert.rejects(() => readDatasetInfo(dir), /Missing ".*dataset\.json"/);
  await Deno.remove(dir, { recursive: true });
});
