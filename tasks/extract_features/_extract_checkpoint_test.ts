import assert from "node:assert/strict";
import { openExtractCheckpoint } from "./_extract_checkpoint.ts";

Deno.test("openExtractCheckpoint() keeps complete rows and drops the bytes of a batch cut short", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const fresh = await openExtractCheckpoint(dir);
    assert.deepEqual([fresh.rows, fresh.dimension, fresh.done], [0, null, null]);
    await fresh.append(new Float32Array([1, 2, 3, 4]), 2);
    await fresh.append(new Float32Array([5, 6]), 2);
    await assert.rejects(
      () => fresh.append(new Float32Array([7, 8, 9]), 3),
      /rows of 3 values follow rows of 2/,
    );
    fresh.close();
    // A crash between writing a batch and recording it leaves extra bytes.
    const file = await Deno.open(`${dir}/rows.f32`, { append: true });
    await file.write(new Uint8Array(new Float32Array([9, 9, 9]).buffer));
    file.close();
    const resumed = await openExtractCheckpoint(dir);
    assert.deepEqual([resumed.rows, resumed.dimension, [...resumed.done!]], [3, 2, [
      1,
      2,
      3,
      4,
      5,
      6,
    ]]);
    await resumed.append(new Float32Array([7, 8]), 2);
    resumed.close();
    const again = await openExtractCheckpoint(dir);
    assert.deepEqual([...again.done!], [1, 2, 3, 4, 5, 6, 7, 8]);
    again.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
