import assert from "node:assert/strict";
import { openSafetensors } from "./safetensors.ts";
import { parseSafetensorsHeader } from "./safetensors_header.ts";

const FIXTURES = new URL("../../../tests/fixtures/resnet/", import.meta.url);
const fixture = (name: string) => new URL(name, FIXTURES).pathname;

/** A safetensors file from a header object and a data section. */
function encode(header: Record<string, unknown>, data: Uint8Array): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

async function withFile<T>(bytes: Uint8Array, fn: (path: string) => Promise<T>): Promise<T> {
  const path = await Deno.makeTempFile({ suffix: ".safetensors" });
  try {
    await Deno.writeFile(path, bytes);
    return await fn(path);
  } finally {
    await Deno.remove(path);
  }
}

Deno.test("openSafetensors() reads the PyTorch fixture: metadata, shapes, F32 values and I64 scalars", async () => {
  using file = await openSafetensors(fixture("resnet18_tiny.safetensors"));
  assert.equal(file.metadata.architecture, "resnet18");
  assert.equal(file.metadata.layers, "[2, 2, 2, 2]");
  const conv1 = file.tensors.get("conv1.weight")!;
  assert.deepEqual([conv1.dtype, conv1.shape], ["F32", [8, 3, 7, 7]]);
  assert.equal((await file.readFloat32("conv1.weight")).length, 8 * 3 * 7 * 7);
  assert.deepEqual([...await file.readFloat32("bn1.num_batches_tracked")], [5]);
  const variance = await file.readFloat32("bn1.running_var");
  assert.ok(variance.every((v) => v > 0));
  await assert.rejects(() => file.readFloat32("nope"), /has no tensor "nope"/);
});

Deno.test("openSafetensors() decodes F16 (subnormals included) and BF16 close to the F32 weights", async () => {
  using f32 = await openSafetensors(fixture("resnet18_tiny.safetensors"));
  for (const [name, tolerance] of [["f16", 2 ** -11], ["bf16", 2 ** -8]] as const) {
    using half = await openSafetensors(fixture(`resnet18_tiny_${name}.safetensors`));
    assert.deepEqual([...half.tensors.keys()].sort(), [...f32.tensors.keys()].sort());
    for (const key of ["conv1.weight", "layer4.1.conv2.weight", "fc.weight"]) {
      const [a, b] = [await f32.readFloat32(key), await half.readFloat32(key)];
      const worst = a.reduce(
        (m, v, i) => Math.max(m, Math.abs(v - b[i]!) / Math.max(Math.abs(v), 2 ** -14)),
        0,
      );
      assert.ok(worst <= tolerance, `${name} ${key}: relative error ${worst}`);
    }
  }
});

Deno.test("openSafetensors() decodes exact F16 and BF16 bit patterns", async () => {
  const half = [0x0001, 0x03ff, 0x8001, 0x3c00, 0xc000, 0x7c00, 0x0400];
  const brain = [0x3f80, 0xc040, 0x0001];
  const data = new Uint8Array((half.length + brain.length) * 2);
  const view = new DataView(data.buffer);
  [...half, ...brain].forEach((bits, i) => view.setUint16(i * 2, bits, true));
  const bytes = encode({
    h: { dtype: "F16", shape: [half.length], data_offsets: [0, half.length * 2] },
    b: { dtype: "BF16", shape: [3], data_offsets: [half.length * 2, data.length] },
  }, data);
  await withFile(bytes, async (path) => {
    using file = await openSafetensors(path);
    assert.deepEqual(
      [...await file.readFloat32("h")],
      [
        2 ** -24,
        1023 * 2 ** -24,
        -(2 ** -24),
        1,
        -2,
        Infinity,
        2 ** -14,
      ].map(Math.fround),
    );
    assert.deepEqual([...await file.readFloat32("b")], [1, -3, Math.fround(2 ** -133)]);
  });
});

Deno.test("openSafetensors() rejects a truncated file, naming the first tensor past the end", async () => {
  const whole = await Deno.readFile(fixture("resnet50_tiny.safetensors"));
  await withFile(whole.subarray(0, whole.length - 100), async (path) => {
    await assert.rejects(
      () => openSafetensors(path),
      (e: Error) =>
        e instanceof SyntaxError && e.message.includes(path) &&
        /tensor "[\w.]+" ends at byte \d+ of the data, but the file holds only \d+ \(truncated\?\)/
          .test(e.message),
    );
  });
  await withFile(whole.subarray(0, 300), async (path) => {
    await assert.rejects(
      () => openSafetensors(path),
      /header length \d+ exceeds the 292 bytes after it \(the file has 300; truncated\?\)/,
    );
  });
  await withFile(whole.subarray(0, 5), async (path) => {
    await assert.rejects(() => openSafetensors(path), /5 bytes, shorter than the 8-byte header/);
  });
});

Deno.test("openSafetensors() refuses a header longer than the limit without calling the file truncated", async () => {
  const length = new Uint8Array(8);
  new DataView(length.buffer).setBigUint64(0, 100_000_001n, true);
  await withFile(length, async (path) => {
    await Deno.truncate(path, 100_000_100); // sparse: no 100 MB written
    await assert.rejects(
      () => openSafetensors(path),
      (e: Error) =>
        e instanceof SyntaxError && /exceeds the limit of 100000000 bytes/.test(e.message) &&
        !e.message.includes("truncated"),
    );
  });
});

Deno.test("parseSafetensorsHeader() names the tensor with a bad dtype, shape, size or overlap", () => {
  const parse = (header: Record<string, unknown>) =>
    parseSafetensorsHeader(JSON.stringify(header), 64, "x.safetensors");
  const cases: [Record<string, unknown>, RegExp][] = [
    [{ w: { dtype: "Q4", shape: [2], data_offsets: [0, 1] } }, /tensor "w" has unknown dtype "Q4"/],
    [
      { w: { dtype: "F32", shape: [2, -1], data_offsets: [0, 8] } },
      /tensor "w" has an invalid shape/,
    ],
    [
      { w: { dtype: "F32", shape: [3], data_offsets: [0, 8] } },
      /tensor "w" \(F32 \[3\]\) needs 12 bytes, but its data_offsets \[0, 8\] hold 8/,
    ],
    [{ w: { dtype: "F32", shape: [2], data_offsets: [0] } }, /tensor "w" has invalid data_offsets/],
    [
      {
        a: { dtype: "F32", shape: [4], data_offsets: [0, 16] },
        b: { dtype: "F32", shape: [2], data_offsets: [8, 16] },
      },
      /tensors "a" and "b" overlap/,
    ],
    [{ __metadata__: { n: 3 } }, /"__metadata__.n" is not a string/],
  ];
  for (const [header, pattern] of cases) {
    assert.throws(
      () => parse(header),
      (e: Error) =>
        e instanceof SyntaxError && /^Invalid safetensors file "x.safetensors": /.test(e.message) &&
        pattern.test(e.message),
      pattern.source,
    );
  }
  assert.throws(() => parseSafetensorsHeader("{oops", 0, "y"), /header is not JSON/);
  const ok = parseSafetensorsHeader(
    '{"__metadata__":{"a":"b"},"e":{"dtype":"F32","shape":[0],"data_offsets":[0,0]}}',
    0,
    "z",
  );
  assert.deepEqual([ok.metadata, ok.tensors.get("e")?.shape], [{ a: "b" }, [0]]);
});
