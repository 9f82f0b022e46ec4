import assert from "node:assert/strict";
import { decodeNpy, decodeNpyHeader, encodeNpy, type NpyArray } from "./npy.ts";
import { readNpy, writeNpy } from "./npy_file.ts";
import { openNpy } from "./npy_reader.ts";
import { createNpyWriter } from "./npy_writer.ts";

function ascii(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

/** A hand-made v1 file as NumPy writes it, to check decoding against bytes we did not encode. */
function handMade(dict: string, body: Uint8Array, major = 1): Uint8Array {
  const prefix = major === 1 ? 10 : 12;
  const text = dict.padEnd(Math.ceil((prefix + dict.length + 1) / 64) * 64 - prefix - 1) + "\n";
  const out = new Uint8Array(prefix + text.length + body.length);
  out.set([0x93, ...ascii("NUMPY"), major, 0]);
  const view = new DataView(out.buffer);
  if (major === 1) view.setUint16(8, text.length, true);
  else view.setUint32(8, text.length, true);
  out.set(ascii(text), prefix);
  out.set(body, prefix + text.length);
  return out;
}

Deno.test("encodeNpy() round-trips every written dtype with its shape", () => {
  const arrays = [
    { dtype: "uint8", shape: [2, 3], data: new Uint8Array([0, 1, 2, 253, 254, 255]) },
    { dtype: "int32", shape: [3], data: new Int32Array([-5, 0, 2 ** 31 - 1]) },
    { dtype: "float32", shape: [2, 1, 2], data: new Float32Array([0.5, -1.25, 1e30, -0]) },
    { dtype: "float64", shape: [1], data: new Float64Array([Math.PI]) },
    { dtype: "int64", shape: [2], data: new BigInt64Array([-1n, 2n ** 40n]) },
  ] as NpyArray[];
  for (const array of arrays) {
    const back = decodeNpy(encodeNpy(array));
    assert.equal(back.dtype, array.dtype);
    assert.deepEqual(back.shape, array.shape);
    assert.deepEqual(back.data, array.data);
  }
});

Deno.test("encodeNpy() aligns the data on 64 bytes with a newline-terminated v1 header", () => {
  const bytes = encodeNpy({ dtype: "float32", shape: [3, 4], data: new Float32Array(12) });
  const header = decodeNpyHeader(bytes);
  assert.equal(header.dataOffset % 64, 0);
  assert.equal(bytes[6], 1);
  assert.equal(bytes[header.dataOffset - 1], 0x0a);
  const dict = new TextDecoder().decode(bytes.subarray(10, header.dataOffset)).trim();
  assert.equal(dict, "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }");
});

Deno.test("encodeNpy() writes 1-d and scalar shapes as Python tuples", () => {
  const one = new TextDecoder().decode(
    encodeNpy({ dtype: "uint8", shape: [5], data: new Uint8Array(5) }),
  );
  assert.match(one, /'shape': \(5,\)/);
  const scalar = encodeNpy({ dtype: "int32", shape: [], data: new Int32Array([7]) });
  assert.match(new TextDecoder().decode(scalar), /'shape': \(\)/);
  assert.deepEqual(decodeNpy(scalar).data, new Int32Array([7]));
});

Deno.test("decodeNpy() reads v2 headers, bool and big-endian data", () => {
  const body = new Uint8Array([0, 0, 0, 1, 0, 0, 1, 0]);
  const big = decodeNpy(
    handMade("{'descr': '>i4', 'fortran_order': False, 'shape': (2,), }", body, 2),
  );
  assert.deepEqual(big.data, new Int32Array([1, 256]));
  const bool = decodeNpy(
    handMade("{'descr': '|b1', 'fortran_order': False, 'shape': (2L,), }", new Uint8Array([1, 0])),
  );
  assert.equal(bool.dtype, "uint8");
  assert.deepEqual(bool.data, new Uint8Array([1, 0]));
});

Deno.test("decodeNpy() rejects a missing magic, a truncated header or body, and bad dtypes", () => {
  assert.throws(() => decodeNpy(ascii("PK\x03\x04 not numpy")), /magic string is missing/);
  const good = encodeNpy({ dtype: "int32", shape: [4], data: new Int32Array(4) });
  assert.throws(() => decodeNpy(good.subarray(0, 40)), /Truncated \.npy header/);
  assert.throws(() => decodeNpy(good.subarray(0, good.length - 1)), /Truncated \.npy data/);
  const dict = (descr: string, order = "False") =>
    `{'descr': '${descr}', 'fortran_order': ${order}, 'shape': (1,), }`;
  assert.throws(
    () => decodeNpy(handMade(dict("<c8"), new Uint8Array(8))),
    /Unsupported \.npy dtype "<c8"/,
  );
  assert.throws(
    () => decodeNpy(handMade(dict("<f4", "True"), new Uint8Array(4))),
    /Fortran-ordered/,
  );
  assert.throws(
    () => decodeNpy(handMade("{'descr': '<f4'}", new Uint8Array(4))),
    /Malformed \.npy header/,
  );
  assert.throws(
    () => decodeNpy(handMade(dict("<f4").replace("(1,)", "(-1,)"), new Uint8Array(4))),
    /Malformed \.npy shape/,
  );
});

Deno.test("encodeNpy() rejects data that does not match the shape or dtype", () => {
  assert.throws(
    () => encodeNpy({ dtype: "int32", shape: [3], data: new Int32Array(2) }),
    /needs 3 elements/,
  );
  assert.throws(
    () => encodeNpy({ dtype: "int32", shape: [2], data: new Float32Array(2) }),
    /must be a Int32Array/,
  );
  assert.throws(
    () => encodeNpy({ dtype: "uint8", shape: [1.5], data: new Uint8Array(1) }),
    /Invalid shape/,
  );
});

Deno.test("createNpyWriter() appends rows and fixes the row count at close", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/rows.npy`;
  const writer = await createNpyWriter(path, { dtype: "uint8", rowShape: [2, 2] });
  await writer.append(new Uint8Array([1, 2, 3, 4]));
  await writer.append(new Uint8Array([5, 6, 7, 8, 9, 10, 11, 12]));
  await assert.rejects(() => writer.append(new Uint8Array(3)), /multiple of 4/);
  assert.equal(await writer.close(), 3);
  const back = await readNpy(path);
  assert.deepEqual(back.shape, [3, 2, 2]);
  assert.deepEqual(back.data, new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]));
  await Deno.remove(dir, { recursive: true });
});

Deno.test("openNpy() reads row ranges clipped to the array and names a truncated file", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/f.npy`;
  await writeNpy(path, {
    dtype: "float32",
    shape: [4, 2],
    data: new Float32Array([0, 1, 2, 3, 4, 5, 6, 7]),
  });
  const reader = await openNpy(path);
  try {
    assert.equal(reader.rows, 4);
    assert.deepEqual(reader.rowShape, [2]);
    const tail = await reader.readRows(3, 10);
    assert.deepEqual(tail.shape, [1, 2]);
    assert.deepEqual(tail.data, new Float32Array([6, 7]));
    assert.deepEqual((await reader.readRows(1, 2)).data, new Float32Array([2, 3, 4, 5]));
  } finally {
    reader.close();
  }
  const bytes = await Deno.readFile(path);
  await Deno.writeFile(path, bytes.subarray(0, bytes.length - 4));
  await assert.rejects(
    () => openNpy(path),
    (e: Error) => e.message.includes(`Truncated .npy data in "${path}"`),
  );
  await Deno.remove(dir, { recursive: true });
});

const python = new Deno.Command("python3", {
  args: ["-c", "import numpy"],
  stdout: "null",
  stderr: "null",
});
const hasNumpy = await python.output().then((o) => o.success, () => false);

Deno.test({
  name: "writeNpy() files are read by NumPy and NumPy's files are read back",
  ignore: !hasNumpy,
  async fn() {
    const dir = await Deno.makeTempDir();
    await writeNpy(`${dir}/a.npy`, {
      dtype: "float32",
      shape: [2, 3],
      data: new Float32Array([1, 2, 3, 4, 5, 6.5]),
    });
    const writer = await createNpyWriter(`${dir}/b.npy`, { dtype: "uint8", rowShape: [2] });
    await writer.append(new Uint8Array([7, 8, 9, 10]));
    await writer.close();
    const script = `import numpy as np, sys
a = np.load(sys.argv[1] + '/a.npy'); b = np.load(sys.argv[1] + '/b.npy')
assert a.dtype == np.float32 and a.shape == (2, 3) and a[1, 2] == 6.5, a
assert b.dtype == np.uint8 and b.shape == (2, 2) and b.sum() == 34, b
np.save(sys.argv[1] + '/c.npy', np.arange(6, dtype=np.int64).reshape(3, 2))`;
    const out = await new Deno.Command("python3", { args: ["-c", script, dir] }).output();
    assert.ok(out.success, new TextDecoder().decode(out.stderr));
    const c = await readNpy(`${dir}/c.npy`);
    assert.equal(c.dtype, "int64");
    assert.deepEqual(c.shape, [3, 2]);
    assert.deepEqual(c.data, new BigInt64Array([0n, 1n, 2n, 3n, 4n, 5n]));
    await Deno.remove(dir, { recursive: true });
  },
});
