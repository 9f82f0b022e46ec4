/** The features path of `finetune`: a dense head trained in typed-array maths. */
import {
  argmaxRows,
  cloneWeights,
  headLogits,
  headModelJson,
  headTrainable,
  initHead,
  Prng,
  readFeatures,
  weightsDigest,
  withMeta,
  writeModelDir,
} from "@dropline/ml";
import type { TaskContext } from "@dropline/task";
import {
  type FinetuneParams,
  reportedParams,
  resolveDomains,
  trainConfigOf,
} from "../_shared/finetune_params.ts";
import { writeRunOutputs } from "./_finetune_outputs.ts";
import { trainResumably } from "../_shared/train_hooks.ts";
import { requireHeldOut } from "./_held_out.ts";

export async function finetuneHead(ctx: TaskContext<FinetuneParams>): Promise<void> {
  const p = ctx.params;
  const data = await readFeatures(p.features!);
  const { classes, domains, dimension } = data.info;
  const roles = resolveDomains(domains, p.test_domains);
  requireHeldOut(data, roles.trainDomains, domains);
  const spec = { inputDim: dimension, hidden: p.hidden, classes: classes.length };
  const initial = initHead(spec, Prng.fromSeed(p.init_seed));
  const weights = cloneWeights(initial);
  const rows = {
    dimension,
    features: data.features,
    labels: data.labels,
    domains: data.domains,
    split: data.split,
    domainNames: domains,
  };
  const trainable = headTrainable(weights, rows, roles);
  const config = trainConfigOf(p);
  const names = (ids: number[]) => ids.map((d) => domains[d]!).join(", ");
  ctx.log.info(
    `Training a head (hidden [${p.hidden.join(", ")}], dropout ${p.dropout}) on ` +
      `${data.labels.length} rows of ${dimension}-d features; training domains ${
        names(roles.trainDomains)
      }; test domains ${names(roles.testDomains)}`,
  );
  const state = await trainResumably(ctx, trainable, config);
  const n = data.labels.length;
  await writeRunOutputs({
    outDir: ctx.outDir,
    params: p,
    writeModel: (dir, w, meta) =>
      writeModelDir(dir, withMeta(headModelJson(spec, p.dropout), meta), w),
    meta: {
      kind: "head",
      classes,
      domains,
      trainDomains: roles.trainDomains.map((d) => domains[d]!),
      testDomains: roles.testDomains.map((d) => domains[d]!),
      start: await weightsDigest(initial),
      method: "finetune",
      params: reportedParams(p),
      // What the features are: WiSE-FT checks a linear probe against the network it joins.
      input: { source: data.info.backbone, layer: data.info.layer, dimension },
    },
    initial,
    fullWeights: (values) => initial.map((w, i) => ({ ...w, values: values[i]! })),
    state,
    rows: data,
    predict: (w) => Promise.resolve(argmaxRows(headLogits(w, data.features, n), classes.length)),
    log: (message) => ctx.log.info(message),
  });
}
