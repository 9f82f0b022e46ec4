import assert from "node:assert/strict";
import { readDataset } from "@dropline/ml";
import { TaskError } from "@dropline/task";
import { pacsColor, writePacsTree } from "../../tests/support/pacs_fixture.ts";
import { runTask } from "../../tests/support/test_context.ts";
import imageFolder from "./mod.ts";

const domains = ["photo", "sketch"];
const classes = ["dog", "horse"];

async function withTree(
  options: Parameters<typeof writePacsTree>[1],
  fn: (dir: string) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir();
  try {
    await writePacsTree(dir, { domains, classes, ...options });
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("image_folder converts a PACS tree, skipping an unreadable image with one warning", async () => {
  await withTree({ perClass: 5, corrupt: ["photo/horse/zz_broken.jpg"] }, async (dir) => {
    const { default: sharp } = await import("sharp");
    const raw = new Uint8Array(81).fill(77);
    const gray = await sharp(raw, { raw: { width: 9, height: 9, channels: 1 } }).png().toBuffer();
    await Deno.writeFile(`${dir}/PACS/sketch/dog/gray.png`, gray);
    await using run = await runTask(imageFolder, { input: dir, root: "PACS", size: [6, 8] });
    const data = await readDataset(run.outDir);
    assert.deepEqual(data.info.domains, domains);
    assert.deepEqual(data.info.classes, classes);
    assert.deepEqual(data.info.imageShape, [6, 8, 3]);
    assert.equal(data.info.count, 21);
    assert.deepEqual(data.info.counts, { photo: { in: 8, out: 2 }, sketch: { in: 9, out: 2 } });
    assert.equal(run.warnings.length, 1);
    assert.match(run.warnings[0]!, /^Skipped 1 unreadable images: photo\/horse\/zz_broken\.jpg/);
    assert.deepEqual(run.progress.at(-1), { done: 22, total: 22, unit: "images" });
    const images = await data.openImages();
    try {
      const all = (await images.readRows(0, data.info.count)).data as Uint8Array;
      // Sorted order: photo/dog/dog_0..4, photo/horse/horse_0..4, sketch/dog/dog_0..4, gray, sketch/horse/...
      const pixel = (n: number) => [...all.subarray(n * 144, n * 144 + 3)];
      const expect = [[0, 0, 0], [1, 0, 3], [0, 1, 4], [1, 1, 0]] as const;
      const rows = [0, 8, 14, 16];
      for (const [k, [c, d, i]] of expect.entries()) {
        const want = pacsColor(c, d, i);
        assert.equal(data.labels[rows[k]!], c);
        assert.equal(data.domains[rows[k]!], d);
        pixel(rows[k]!).forEach((v, j) =>
          assert.ok(Math.abs(v - want[j]!) <= 4, `row ${rows[k]}: ${pixel(rows[k]!)} vs ${want}`)
        );
      }
      assert.deepEqual(pixel(15), [77, 77, 77]); // the grayscale PNG, expanded to RGB
    } finally {
      images.close();
    }
  });
});

Deno.test("image_folder is deterministic and follows domain and class filters in their order", async () => {
  await withTree({ perClass: 2, root: "" }, async (dir) => {
    const params = {
      input: dir,
      size: 4,
      channels: 1,
      domains: ["sketch"],
      classes: ["horse", "dog"],
    };
    await using a = await runTask(imageFolder, params);
    await using b = await runTask(imageFolder, params);
    const data = await readDataset(a.outDir);
    assert.deepEqual(data.info.classes, ["horse", "dog"]);
    assert.deepEqual(data.info.imageShape, [4, 4, 1]);
    assert.deepEqual([...data.labels], [0, 0, 1, 1]);
    for (const file of ["images.npy", "labels.npy", "split.npy", "dataset.json"]) {
      assert.deepEqual(
        await Deno.readFile(`${a.outDir}/${file}`),
        await Deno.readFile(`${b.outDir}/${file}`),
        file,
      );
    }
  });
});

Deno.test("image_folder names an empty class, an unknown domain and a too-shallow root", async () => {
  await withTree({ perClass: 1, empty: ["sketch/cat"] }, async (dir) => {
    await assert.rejects(
      () => runTask(imageFolder, { input: dir, root: "PACS", size: 4 }),
      (e: Error) =>
        e instanceof TaskError &&
        e.message.startsWith(`Class "cat" of domain "photo" has no images`),
    );
    await assert.rejects(
      () =>
        runTask(imageFolder, {
          input: dir,
          root: "PACS",
          size: 4,
          classes: ["cat"],
          domains: ["sketch"],
        }),
      /Class "cat" of domain "sketch" has no images/,
    );
    await assert.rejects(
      () => runTask(imageFolder, { input: dir, root: "PACS", domains: ["cartoon"] }),
      /Domain "cartoon" not found in ".*PACS" \(found: photo, sketch\)/,
    );
    await assert.rejects(
      () => runTask(imageFolder, { input: `${dir}/PACS/photo`, size: 4 }),
      /Domain "dog" has no class directories/,
    );
    await assert.rejects(() => runTask(imageFolder, { input: dir, size: 4 }), /set "root"/);
  });
});

Deno.test("image_folder's schema says what `size` and `channels` expect, and bounds `size` at 4096", () => {
  const issues = (extra: Record<string, unknown>) => {
    const result = imageFolder.schema.safeParse({ input: "x", ...extra });
    return result.success
      ? []
      : result.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
  };
  const form =
    "size: Expected a side in pixels (an integer from 1 to 4096, e.g. 224) or [height, width]";
  assert.deepEqual(issues({ size: 1.5 }), [`${form}, got 1.5`]);
  assert.deepEqual(issues({ size: "224" }), [`${form}, got "224"`]);
  assert.deepEqual(issues({ size: [8] }), [`${form}, got [8]`]);
  assert.deepEqual(issues({ size: [8, 8, 3] }), [`${form}, got [8,8,3]`]);
  assert.deepEqual(issues({ size: [8, 8.5] }), [`${form}, got [8,8.5]`]);
  assert.deepEqual(issues({ size: null }), [`${form}, got null`]);
  // Range errors: the engine appends the value.
  assert.deepEqual(issues({ size: 100000 }), ["size: Expected a side from 1 to 4096 pixels"]);
  assert.deepEqual(issues({ size: 0 }), ["size: Expected a side from 1 to 4096 pixels"]);
  assert.deepEqual(issues({ size: [8, 4097] }), ["size.1: Expected a side from 1 to 4096 pixels"]);
  assert.deepEqual(issues({ channels: 2 }), ["channels: Expected 3 (RGB) or 1 (grayscale), got 2"]);
  assert.deepEqual(issues({ size: 4096, channels: 1 }), []);
  assert.deepEqual(issues({ size: [4096, 1] }), []);
});
