/** The body of `evaluate`: resolve model paths, score them (alone or as an ensemble), write the record. */
import {
  argmaxRows,
  evaluationRecord,
  meanProbabilities,
  type ModelMeta,
  modelMetaOf,
  readModelDir,
} from "@dropline/ml";
import type { TaskContext } from "@dropline/task";
import { type Member, readEnsembleDir } from "../_shared/ensemble_dir.ts";
import { checkCompatible, openEvalData } from "../_shared/eval_data.ts";
import { resolveDomains } from "../_shared/finetune_params.ts";
import type { EvaluateParams } from "./params.ts";

interface Source {
  path: string;
  meta: ModelMeta;
  members: Member[];
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

/** A model, ensemble or run directory as a list of members. */
async function resolveSource(path: string, checkpoint: string): Promise<Source> {
  if (await exists(`${path}/summary.json`)) path = `${path}/${checkpoint}`;
  const ensemble = await readEnsembleDir(path);
  if (ensemble) return { path, meta: ensemble.meta, members: ensemble.members };
  if (!(await exists(`${path}/model.json`))) {
    throw new TypeError(
      `Nothing to evaluate in "${path}": no model.json, ensemble.json or summary.json`,
    );
  }
  const model = await readModelDir(path);
  return { path, meta: modelMetaOf(model.json, path), members: [model] };
}

export async function evaluateModels(ctx: TaskContext<EvaluateParams>): Promise<void> {
  const p = ctx.params;
  const sources = await Promise.all(p.model.map((path) => resolveSource(path, p.checkpoint)));
  const first = sources[0]!;
  const data = await openEvalData(first.meta.kind, p);
  for (const s of sources) checkCompatible(s.meta, data, s.path);
  const members = sources.flatMap((s) => s.members);
  const probs: Float32Array[] = [];
  for (const [i, member] of members.entries()) {
    ctx.signal.throwIfAborted();
    ctx.progress({ done: i, total: members.length, unit: "models" });
    probs.push(await data.probabilities(member));
  }
  let meta: ModelMeta = sources.length === 1 ? first.meta : {
    ...first.meta,
    method: "ensemble",
    params: { ...sharedParams(sources), members: members.length },
  };
  if (p.test_domains) {
    const roles = resolveDomains(data.domains, p.test_domains);
    meta = {
      ...meta,
      trainDomains: roles.trainDomains.map((d) => data.domains[d]!),
      testDomains: roles.testDomains.map((d) => data.domains[d]!),
    };
  }
  const predictions = argmaxRows(meanProbabilities(probs), data.classes.length);
  const record = {
    ...evaluationRecord(predictions, data.rows, meta),
    models: sources.map((s) => s.path),
  };
  await Deno.writeTextFile(`${ctx.outDir}/evaluation.json`, JSON.stringify(record, null, 2) + "\n");
  ctx.log.info(
    `i.i.d. ${record.iid?.toFixed(4)} o.o.d. ${
      record.ood?.toFixed(4)
    } over ${members.length} model(s)`,
  );
}

/**
 * The parameters every source agrees on: an ensemble of runs with different
 * dropout rates or seeds must not be reported under the first run's values.
 */
function sharedParams(sources: Source[]): Record<string, unknown> {
  const [first, ...rest] = sources.map((s) => s.meta.params);
  return Object.fromEntries(
    Object.entries(first ?? {}).filter(([k, v]) =>
      rest.every((p) => JSON.stringify(p[k]) === JSON.stringify(v))
    ),
  );
}
