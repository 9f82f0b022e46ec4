/**
 * pipelines/pacs.yaml end to end, as a user runs it, with no network beyond
 * loopback: a generated PACS-format zip (laid out as DomainBed's archive,
 * under `kfold/`) and the tiny torchvision ResNet-50 fixture's safetensors
 * file (tests/fixtures/resnet/, written by PyTorch) are served from
 * 127.0.0.1, and the pipeline's own params are pointed at them with --set:
 * the whole-network recipe, soups, WiSE-FT, ensembles and the linear probe,
 * shrunk to a few steps at 32 px.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { fileURLToPath } from "node:url";
import { serveFiles } from "../support/file_server.ts";
import { makePacsZip } from "../support/pacs_fixture.ts";
import { RESNET_FIXTURES } from "../support/resnet_fixture.ts";
import { tempProject } from "../engine/_project.ts";
import { outputDir, reportTable, type StatusJson } from "./_report_table.ts";

const PIPELINE = fileURLToPath(new URL("../../pipelines/pacs.yaml", import.meta.url));

function sha256(bytes: Uint8Array | string): string {
  return createHash("sha256").update(bytes).digest("hex");
}

const WEIGHTS = "timm/resnet50.tiny/resolve/main/model.safetensors";

/** The fixture files: PACS.zip and a ResNet-50's model.safetensors. */
async function fixtures(): Promise<Record<string, Uint8Array>> {
  const { zip } = await makePacsZip({ root: "kfold", perClass: 5, size: [40, 36] });
  const weights = await Deno.readFile(`${RESNET_FIXTURES}resnet50_tiny.safetensors`);
  return { "PACS.zip": zip, [WEIGHTS]: weights };
}

/** --set overrides: local URLs with their real checksums, a small sweep, few steps. */
function overrides(
  url: string,
  files: Record<string, Uint8Array>,
  changes: Record<string, string> = {},
): string[] {
  const set = {
    pacs_url: `${url}PACS.zip`,
    pacs_sha256: sha256(files["PACS.zip"]!),
    pacs_md5: createHash("md5").update(files["PACS.zip"]!).digest("hex"),
    backbone_url: `${url}${WEIGHTS}`,
    backbone_sha256: sha256(files[WEIGHTS]!),
    image_size: 32,
    test_domains: "[photo, sketch]",
    dropouts: "[0, 0.9]",
    lrs: "[0.001]",
    seeds: "[0, 1]",
    steps: 8,
    lr_decay_at: "[4]",
    eval_every: 4,
    batch_size: 4,
    lp_lrs: "[0.01]",
    lp_steps: 40,
    lp_lr_decay_at: "[20]",
    alphas: "[0, 0.5, 1]",
    ...changes,
  };
  return Object.entries(set).flatMap(([k, v]) => ["--set", `params.${k}=${v}`]);
}

Deno.test("pipelines/pacs.yaml runs end to end from a local server, then is entirely cached", async () => {
  const files = await fixtures();
  await using server = serveFiles(files);
  await using project = await tempProject({});
  const args = [PIPELINE, ...overrides(server.url, files)];

  const tampered = await project.run(
    "run",
    PIPELINE,
    ...overrides(server.url, files, { pacs_md5: "ab".repeat(16) }),
    "--only",
    "pacs",
  );
  assert.equal(tampered.code, 1, "a pinned checksum is enforced");
  assert.match(tampered.stdout + tampered.stderr, /Checksum mismatch/);

  const cold = await project.run("run", ...args);
  assert.equal(cold.code, 0, cold.stdout + cold.stderr);
  // download + images + backbone + features + 2 linear probes + 8 finetune + 4 average + report.
  assert.match(cold.stdout, /pacs: 19 ran, 0 cached, 0 failed, 0 skipped/);
  assert.ok(server.requests.some((r) => r.path === "PACS.zip"), "PACS came from the server");
  assert.ok(server.requests.some((r) => r.path === WEIGHTS), "so did the ResNet-50 weights");

  const status = JSON.parse((await project.run("status", "--json", ...args)).stdout) as StatusJson;
  assert.equal(status.stages.length, 19);
  assert.deepEqual(status.stages.filter((s) => s.state !== "cached"), []);
  const report = status.stages.find((s) => s.id === "report")!;
  const { columns, rows } = await reportTable(project.cache, report.key!);
  assert.deepEqual(columns, ["photo", "sketch", "Avg"]);
  assert.deepEqual(rows.map((r) => r.label), [
    "Fine-tune (p=0)",
    "Fine-tune (p=0.9)",
    "Ensemble (p=0)",
    "Ensemble (p=0.9)",
    "Uniform soup (p=0)",
    "Uniform soup (p=0.9)",
    "Greedy soup (p=0)",
    "Greedy soup (p=0.9)",
    "WiSE-FT (p=0)",
    "WiSE-FT (p=0.9)",
    "Linear probe",
  ]);
  for (const row of rows) {
    assert.equal(row.cells.length, 3, row.label);
    for (const cell of row.cells) assert.match(cell, /^\d+\.\d( ± \d+\.\d)?$/, row.label);
  }
  assert.match(rows[0]!.cells[0]!, /±/, "fine-tuning rows average two seeds");
  const run = status.stages.find((s) => s.id.startsWith("finetune["))!;
  const summary = JSON.parse(
    await Deno.readTextFile(`${outputDir(project.cache, run.key!)}/summary.json`),
  );
  assert.equal(summary.kind, "network", "the whole network was fine-tuned");
  assert.equal(summary.augmentation.scale[0], 0.7, "with DomainBed's augmentation");
  assert.ok(summary.trained.includes("conv1/kernel") && summary.trained.includes("bn1/gamma"));
  assert.ok(!summary.trained.some((n: string) => n.includes("moving_")), "statistics frozen");

  const requests = server.requests.length;
  const warm = await project.run("run", ...args);
  assert.equal(warm.code, 0, warm.stdout + warm.stderr);
  assert.match(warm.stdout, /pacs: 0 ran, 19 cached, 0 failed, 0 skipped/);
  assert.equal(server.requests.length, requests, "a cached run fetches nothing");
});
