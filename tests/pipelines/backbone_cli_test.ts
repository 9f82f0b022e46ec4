import assert from "node:assert/strict";
import { tempProject } from "../engine/_project.ts";
import { RESNET_FIXTURES } from "../support/resnet_fixture.ts";
import { saveTinyLayersModel } from "../support/tiny_model.ts";

Deno.test("CLI: a ResNet backbone stage validates, fails on a bad file without a stack or a cache object, then runs", async () => {
  const weights = await Deno.readFile(`${RESNET_FIXTURES}resnet18_tiny.safetensors`);
  const pipeline = (extra: string) =>
    `name: nets\nstages:\n  net:\n    task: backbone\n    with:\n      url: weights/model.safetensors\n${extra}`;
  await using p = await tempProject({
    "p.yaml": pipeline(""),
    "ok.yaml": pipeline("      architecture: resnet18\n"),
  });
  const missing = await p.run("run", "p.yaml");
  assert.equal(missing.code, 2);
  assert.equal(
    missing.stderr.trim(),
    'p.yaml:6:7: stage "net", field "with.architecture": Missing required field: ' +
      "a safetensors file needs one of resnet18, resnet34, resnet50",
  );
  await Deno.mkdir(`${p.dir}/weights`);
  await Deno.writeFile(`${p.dir}/weights/model.safetensors`, weights.subarray(0, 400_000));
  const truncated = await p.run("run", "ok.yaml");
  assert.equal(truncated.code, 1);
  assert.match(
    truncated.stdout + truncated.stderr,
    /✖ net .*: Invalid safetensors file ".*model\.safetensors": tensor "[\w.]+" ends at byte \d+ of the data, but the file holds only \d+ \(truncated\?\)/,
  );
  assert.doesNotMatch(truncated.stdout + truncated.stderr, /\n\s+at /, "no stack trace");
  assert.deepEqual([...Deno.readDirSync(`${p.cache}/objects`)], []);
  await Deno.writeFile(`${p.dir}/weights/model.safetensors`, weights);
  const fixed = await p.run("run", "ok.yaml");
  assert.equal(fixed.code, 0, fixed.stderr);
  assert.equal([...Deno.readDirSync(`${p.cache}/objects`)].length, 1);
});

Deno.test("CLI: a backbone's relative model path is the pipeline file's, and only that model is in its key", async () => {
  await using p = await tempProject({});
  await Deno.mkdir(`${p.dir}/sub/mybb`, { recursive: true });
  await saveTinyLayersModel(`${p.dir}/sub/mybb`);
  const stage = (name: string, url: string) =>
    `  ${name}:\n    task: backbone\n    with:\n      url: ${url}\n      check_load: false\n`;
  await Deno.writeTextFile(
    `${p.dir}/sub/p.yaml`,
    `name: nets\nstages:\n${stage("dir", "mybb")}${stage("file", "mybb/model.json")}`,
  );
  // Run from the project directory, not the pipeline's.
  const first = await p.run("run", "sub/p.yaml");
  assert.equal(first.code, 0, first.stdout + first.stderr);
  assert.match(first.stdout, /nets: 2 ran, 0 cached/);
  await Deno.writeTextFile(`${p.dir}/unrelated.txt`, "a file in the working directory");
  assert.match((await p.run("run", "sub/p.yaml")).stdout, /nets: 0 ran, 2 cached/);
  const shard = `${p.dir}/sub/mybb/group1-shard2of2.bin`;
  const bytes = await Deno.readFile(shard);
  bytes[0] = bytes[0]! ^ 1;
  await Deno.writeFile(shard, bytes);
  const why = await p.run("why", "sub/p.yaml", "file");
  assert.equal(why.stdout, 'file: would run: input file "mybb" changed\n');
});
