import assert from "node:assert/strict";
import { crc32c, fileVersionRecord, maskedCrc32c, scalarRecord, tfRecord } from "./tfevents.ts";

/** Reads TFRecords back, checking both CRCs, as TensorBoard's reader does. */
function readRecords(bytes: Uint8Array): Uint8Array[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const records: Uint8Array[] = [];
  for (let at = 0; at < bytes.length;) {
    const length = Number(view.getBigUint64(at, true));
    assert.equal(view.getUint32(at + 8, true), maskedCrc32c(bytes.subarray(at, at + 8)));
    const data = bytes.subarray(at + 12, at + 12 + length);
    assert.equal(view.getUint32(at + 12 + length, true), maskedCrc32c(data));
    records.push(data);
    at += 16 + length;
  }
  return records;
}

Deno.test("crc32c() matches the Castagnoli check value and TFRecord's masking", () => {
  assert.equal(crc32c(new TextEncoder().encode("123456789")), 0xe3069283);
  assert.equal(crc32c(new Uint8Array(32)), 0x8a9136aa); // RFC 3720 B.4: 32 bytes of zeros
  const crc = 0xe3069283;
  const masked = ((((crc >>> 15) | (crc << 17)) >>> 0) + 0xa282ead8) >>> 0;
  assert.equal(maskedCrc32c(new TextEncoder().encode("123456789")), masked);
});

Deno.test("tfRecord() frames data with its length and CRCs", () => {
  const framed = tfRecord(Uint8Array.from([1, 2, 3]));
  assert.equal(framed.length, 8 + 4 + 3 + 4);
  assert.deepEqual(readRecords(framed), [Uint8Array.from([1, 2, 3])]);
});

Deno.test("scalarRecord() encodes an Event with wall time, step and one simple_value per tag", () => {
  const [event] = readRecords(scalarRecord(300, 1.5, { loss: 0.25 }));
  const f64 = (x: number) => [...new Uint8Array(new Float64Array([x]).buffer)];
  const f32 = (x: number) => [...new Uint8Array(new Float32Array([x]).buffer)];
  // deno-fmt-ignore
  const expected = [
    0x09, ...f64(1.5), // wall_time (field 1, 64-bit) = 1.5
    0x10, 0xac, 0x02, // step (field 2, varint) = 300
    0x2a, 13, // summary (field 5), 13 bytes
    0x0a, 11, // value (field 1), 11 bytes: tag (6) and simple_value (5)
    0x0a, 4, ...new TextEncoder().encode("loss"), // tag (field 1)
    0x15, ...f32(0.25), // simple_value (field 2, 32-bit)
  ];
  assert.deepEqual([...event!], expected);
  const [version] = readRecords(fileVersionRecord(2));
  assert.equal(new TextDecoder().decode(version!.subarray(11)), "brain.Event:2");
  assert.equal(version![9], 0x1a);
});
