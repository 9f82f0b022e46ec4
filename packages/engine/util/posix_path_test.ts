import assert from "node:assert/strict";
import * as node from "node:path";
import { pathToFileURL } from "node:url";
import { dirname, fileUrlPath, isAbsolute, join, relative, resolve } from "./posix_path.ts";

const PATHS = [
  "",
  ".",
  "..",
  "/",
  "//",
  "a",
  "a/",
  "/a",
  "/a/",
  "a/b/../c",
  "../../a",
  "a/../..",
  "/a/../../b",
  "./a/./b//c/",
  "/srv/my data/x.yaml",
  "cache/objects/ab/cd",
];

Deno.test("join(), resolve(), relative(), dirname() and isAbsolute() agree with node:path", () => {
  for (const a of PATHS) {
    assert.equal(dirname(a), node.dirname(a), `dirname(${JSON.stringify(a)})`);
    assert.equal(isAbsolute(a), node.isAbsolute(a), `isAbsolute(${JSON.stringify(a)})`);
    assert.equal(resolve(a), node.resolve(a), `resolve(${JSON.stringify(a)})`);
    for (const b of PATHS) {
      const args = JSON.stringify([a, b]);
      assert.equal(join(a, b), node.join(a, b), `join(...${args})`);
      assert.equal(resolve(a, b), node.resolve(a, b), `resolve(...${args})`);
      assert.equal(relative(a, b), node.relative(a, b), `relative(...${args})`);
    }
  }
  assert.equal(join(), node.join());
  assert.equal(join("a", "b", "../../../c", "d/"), node.join("a", "b", "../../../c", "d/"));
});

Deno.test("fileUrlPath() decodes escapes and refuses other schemes and escaped slashes", () => {
  for (const path of ["/srv/my data/a b.yaml", "/tmp/ü/%41.txt", "/"]) {
    assert.equal(fileUrlPath(pathToFileURL(path)), path);
    assert.equal(fileUrlPath(pathToFileURL(path).href), path);
  }
  assert.throws(() => fileUrlPath("https://example.org/a"), /Not a file: URL/);
  assert.throws(() => fileUrlPath("file:///a%2Fb"), /escaped "\/"/);
});
