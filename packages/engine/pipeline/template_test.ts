import assert from "node:assert/strict";
import {
  findReferences,
  lookupPath,
  parseReference,
  render,
  type RenderScope,
} from "./template.ts";
import type { ValuePath } from "./source.ts";

const params: Record<string, unknown> = { n: 3, lr: 0.1, list: [1, 2], opt: { name: "sgd" } };

const scope: RenderScope = {
  params: (path) => {
    const found = lookupPath(params, path);
    return "value" in found ? found : { error: `Unknown param "${path.join(".")}"` };
  },
  matrix: (name) => name === "seed" ? { value: 7 } : { error: `Unknown matrix key "${name}"` },
  stage: (stage) =>
    stage === "make"
      ? { value: "/out/make" }
      : stage === "sweep"
      ? { value: ["/out/a", "/out/b"] }
      : { error: `Unknown stage "${stage}"` },
};

function renderAll(value: unknown): { value: unknown; errors: [ValuePath, string][] } {
  const errors: [ValuePath, string][] = [];
  const rendered = render(value, scope, ["with"], (path, message) => errors.push([path, message]));
  return { value: rendered, errors };
}

Deno.test("render() keeps the type of a whole interpolation", () => {
  const { value, errors } = renderAll({
    n: "${{ params.n }}",
    spaced: "${{params.lr}}",
    list: "${{ params.list }}",
    map: "${{ params.opt }}",
    seed: "${{ matrix.seed }}",
    upstream: "${{ stages.sweep.out }}",
  });
  assert.deepEqual(errors, []);
  assert.deepEqual(value, {
    n: 3,
    spaced: 0.1,
    list: [1, 2],
    map: { name: "sgd" },
    seed: 7,
    upstream: ["/out/a", "/out/b"],
  });
});

Deno.test("render() joins lists with spaces and maps as JSON inside a longer string", () => {
  const { value, errors } = renderAll([
    "cat ${{ stages.sweep.out }} > x",
    "n=${{ params.n }} opt=${{ params.opt }}",
    "${{ params.n }}${{ params.lr }}",
    "${{ stages.make.out }}/n.txt",
  ]);
  assert.deepEqual(errors, []);
  assert.deepEqual(value, [
    "cat /out/a /out/b > x",
    'n=3 opt={"name":"sgd"}',
    "30.1",
    "/out/make/n.txt",
  ]);
});

Deno.test("render() indexes lists with numeric path segments", () => {
  assert.deepEqual(renderAll("${{ params.list.1 }}").value, 2);
});

Deno.test("render() reports unknown params and matrix keys with the value's path", () => {
  const { errors } = renderAll({ a: ["ok", "x ${{ params.nope }}"], b: "${{ matrix.rate }}" });
  assert.deepEqual(errors, [
    [["with", "a", 1], 'Unknown param "nope"'],
    [["with", "b"], 'Unknown matrix key "rate"'],
  ]);
});

Deno.test("render() rejects an expression it cannot interpret", () => {
  const { errors } = renderAll("${{ env.HOME }}");
  assert.equal(errors.length, 1);
  assert.match(errors[0]![1], /Cannot interpret "\$\{\{ env\.HOME \}\}"/);
});

Deno.test("render() leaves non-string scalars and plain strings alone", () => {
  assert.deepEqual(renderAll({ a: 1, b: true, c: null, d: "$OUT/x" }).value, {
    a: 1,
    b: true,
    c: null,
    d: "$OUT/x",
  });
});

Deno.test("parseReference() accepts the three kinds and refuses others", () => {
  assert.deepEqual(parseReference("params.a.b"), { kind: "params", path: ["a", "b"] });
  assert.deepEqual(parseReference("matrix.seed"), { kind: "matrix", name: "seed" });
  assert.deepEqual(parseReference("stages.make.out"), { kind: "stages", stage: "make" });
  for (const bad of ["params", "params.", "matrix.a.b", "stages.make", "stages.make.dir"]) {
    assert.ok("error" in parseReference(bad), bad);
  }
});

Deno.test("findReferences() finds every reference with its path", () => {
  const found = findReferences({
    run: "${{ stages.a.out }} ${{ params.n }}",
    xs: ["${{ matrix.k }}"],
  }, [
    "with",
  ]);
  assert.deepEqual(found, [
    { path: ["with", "run"], reference: { kind: "stages", stage: "a" } },
    { path: ["with", "run"], reference: { kind: "params", path: ["n"] } },
    { path: ["with", "xs", 0], reference: { kind: "matrix", name: "k" } },
  ]);
});

Deno.test("lookupPath() says where a path stops existing", () => {
  assert.deepEqual(lookupPath({ a: { b: 1 } }, ["a", "c"]), { missingAt: 1 });
  assert.deepEqual(lookupPath({ a: [1] }, ["a", "1"]), { missingAt: 1 });
  assert.deepEqual(lookupPath({ a: null }, ["a"]), { value: null });
});
