/**
 * Combinations the ML tasks cannot honour are refused before anything runs,
 * as a user sees them: exit 2, file:line:column, stage and field, what is
 * expected - not ignored, and not found out minutes into a run.
 */
import assert from "node:assert/strict";
import { tempProject } from "../engine/_project.ts";

const PIPELINE = `name: refused
params:
  steps: 20
stages:
  heads:
    task: finetune
    with:
      features: feats
      test_domains: 0
      train: {last_blocks: 2}
      batchnorm: train
      augment: true
  net:
    task: finetune
    with:
      backbone: bb
      dataset: data
      test_domains: 0
      hidden: [64]
      steps: \${{ params.steps }}
      schedule: {kind: late, cutoff: 500}
  blocks:
    task: finetune
    with:
      backbone: bb
      dataset: data
      test_domains: 0
      train: last_blocks
  early:
    task: finetune
    with:
      features: feats
      test_domains: 0
      schedule: {kind: early}
  soup:
    task: average
    with:
      runs: [run]
      features: feats
      dataset: data
  score:
    task: evaluate
    with:
      model: run
      features: feats
      dataset: data
`;

Deno.test("CLI: finetune, average and evaluate refuse combinations they would ignore, at load", async () => {
  await using p = await tempProject({ "p.yaml": PIPELINE });
  const result = await p.run("run", "p.yaml");
  assert.equal(result.code, 2, result.stderr);
  const backboneOnly = (line: number, column: number, field: string) =>
    `p.yaml:${line}:${column}: stage "heads", field "with.${field}": \`${field}\` needs \`backbone\`: with \`features\` only a head trains`;
  assert.deepEqual(
    result.stderr.trim().split("\n").sort(),
    [
      backboneOnly(10, 14, "train"),
      backboneOnly(11, 18, "batchnorm"),
      backboneOnly(12, 16, "augment"),
      'p.yaml:19:15: stage "net", field "with.hidden": A hidden head layer needs `features`: the backbone path\'s head is dropout → dense',
      'p.yaml:28:14: stage "blocks", field "with.train": Expected `all`, `head` or `{last_blocks: N}` (N a positive integer)',
      'p.yaml:21:38: stage "net", field "with.schedule.cutoff": The `late` schedule starts dropout at step `cutoff`: expected a step from 1 to 19 (`steps` is 20)',
      'p.yaml:34:17: stage "early", field "with.schedule.cutoff": Missing required field: The `early` schedule stops dropout at step `cutoff`: expected a step from 1 to 999 (`steps` is 1000)',
      'p.yaml:38:7: stage "soup", field "with": Give either `features` (heads) or `dataset` (networks), not both',
      'p.yaml:44:7: stage "score", field "with": Give either `features` (heads) or `dataset` (networks), not both',
    ].sort(),
  );
  assert.equal(result.stdout, "");
});

Deno.test("CLI: image_folder says what `size` and `channels` expect, and refuses a side over 4096", async () => {
  await using p = await tempProject({
    "p.yaml": `name: images
stages:
  form:
    task: image_folder
    with: {input: tree, size: [8], channels: 2}
  huge:
    task: image_folder
    with: {input: tree, size: 100000}
`,
  });
  const result = await p.run("run", "p.yaml");
  assert.equal(result.code, 2, result.stderr);
  assert.deepEqual(result.stderr.trim().split("\n").sort(), [
    'p.yaml:5:31: stage "form", field "with.size": Expected a side in pixels (an integer from 1 to 4096, e.g. 224) or [height, width], got [8]',
    'p.yaml:5:46: stage "form", field "with.channels": Expected 3 (RGB) or 1 (grayscale), got 2',
    'p.yaml:8:31: stage "huge", field "with.size": Expected a side from 1 to 4096 pixels, got 100000',
  ]);
  assert.equal(result.stdout, "");
});
