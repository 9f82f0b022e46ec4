/**
 * pipelines/pacs.yaml end to end, as a user runs it, with no network beyond
 * loopback: a generated PACS-format zip (laid out as DomainBed's archive,
 * under `kfold/`) and a tiny generated Layers backbone are served from
 * 127.0.0.1, and the pipeline's own params are pointed at them with --set.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { fileURLToPath } from "node:url";
import { serveFiles } from "../support/file_server.ts";
import { makePacsZip, PACS_DOMAINS } from "../support/pacs_fixture.ts";
import { readTree, saveTinyLayersModel } from "../support/tiny_model.ts";
import { tempProject } from "../engine/_project.ts";
import { reportTable, type StatusJson } from "./_report_table.ts";

const PIPELINE = fileURLToPath(new URL("../../pipelines/pacs.yaml", import.meta.url));

function sha256(bytes: Uint8Array | string): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/** The fixture files: PACS.zip and model/{model.json, shards}. */
async function fixtures(): Promise<Record<string, Uint8Array>> {
  const { zip } = await makePacsZip({ root: "kfold", perClass: 5, size: [12, 10] });
  const dir = await Deno.makeTempDir();
  try {
    await saveTinyLayersModel(dir, { inputSize: [8, 8], shards: 2 });
    return { "PACS.zip": zip, ...await readTree(dir, "model/") };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
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
    backbone_url: `${url}model/model.json`,
    backbone_sha256: sha256(files["model/model.json"]!),
    image_size: 8,
    dropouts: "[0, 0.9]",
    lrs: "[1]",
    seeds: "[0, 1]",
    steps: 60,
    lr_decay_at: "[20]",
    eval_every: 10,
    batch_size: 8,
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
  // 1 download + images + backbone + features + 16 finetune + 4 linear probes + 8 average +
  // 4 ensembles + report.
  assert.match(cold.stdout, /pacs: 37 ran, 0 cached, 0 failed, 0 skipped/);
  assert.ok(server.requests.some((r) => r.path === "PACS.zip"), "PACS came from the server");

  const status = JSON.parse((await project.run("status", "--json", ...args)).stdout) as StatusJson;
  assert.equal(status.stages.length, 37);
  assert.deepEqual(status.stages.filter((s) => s.state !== "cached"), []);
  const report = status.stages.find((s) => s.id === "report")!;
  const { columns, rows } = await reportTable(project.cache, report.key!);
  assert.deepEqual(columns, [...PACS_DOMAINS, "Avg"]);
  assert.deepEqual(rows.map((r) => r.label), [
    "Fine-tune (p=0)",
    "Fine-tune (p=0.9)",
    "Ensemble",
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
    assert.equal(row.cells.length, 5, row.label);
    for (const cell of row.cells) assert.match(cell, /^\d+\.\d( ± \d+\.\d)?$/, row.label);
  }
  assert.match(rows[0]!.cells[0]!, /±/, "fine-tuning rows average two seeds");

  const requests = server.requests.length;
  const warm = await project.run("run", ...args);
  assert.equal(warm.code, 0, warm.stdout + warm.stderr);
  assert.match(warm.stdout, /pacs: 0 ran, 37 cached, 0 failed, 0 skipped/);
  assert.equal(server.requests.length, requests, "a cached run fetches nothing");
});
