import assert from "node:assert/strict";
import { canonicalJson } from "./canonical_json.ts";

Deno.test("canonicalJson() sorts keys at every depth and drops whitespace", () => {
  assert.equal(
    canonicalJson({ b: 1, a: [true, null, { d: "x", c: 2 }] }),
    '{"a":[true,null,{"c":2,"d":"x"}],"b":1}',
  );
});

Deno.test("canonicalJson() is equal for equal values in any key order", () => {
  assert.equal(
    canonicalJson({ x: 1, y: { p: 1, q: 2 } }),
    canonicalJson({ y: { q: 2, p: 1 }, x: 1 }),
  );
  assert.notEqual(canonicalJson([1, 2]), canonicalJson([2, 1]));
});

Deno.test("canonicalJson() omits undefined fields and writes undefined items as null", () => {
  assert.equal(canonicalJson({ a: undefined, b: 2 }), '{"b":2}');
  assert.equal(canonicalJson([undefined]), "[null]");
  assert.equal(canonicalJson("é\n"), '"é\\n"');
});
