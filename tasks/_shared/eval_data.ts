/**
 * The data a model is scored on, for both model kinds: a features directory
 * for heads (typed-array maths), a data set for networks (TF.js). Checks that
 * the model knows the data's classes and domains.
 */
import { gatherRows, headLogits, type ModelMeta, readFeatures, softmaxRows } from "@dropline/ml";
import type { EvalData } from "./eval_data_type.ts";
import type { BackendChoice } from "@dropline/tensor";

export type { EvalData } from "./eval_data_type.ts";

export interface DataSource {
  features?: string | undefined;
  dataset?: string | undefined;
  backend?: BackendChoice | undefined;
}

export async function openEvalData(kind: ModelMeta["kind"], source: DataSource): Promise<EvalData> {
  if (kind === "head") {
    if (!source.features) {
      throw new TypeError("Scoring a head needs `features`: the features directory it reads");
    }
    const data = await readFeatures(source.features);
    const { classes, domains, dimension } = data.info;
    return {
      kind,
      classes,
      domains,
      rows: data,
      probabilities({ weights }, subset) {
        const x = subset ? gatherRows(data.features, dimension, subset) : data.features;
        const n = subset ? subset.length : data.labels.length;
        return Promise.resolve(softmaxRows(headLogits(weights, x, n), classes.length));
      },
    };
  }
  if (!source.dataset) {
    throw new TypeError("Scoring a network needs `dataset`: the data set directory it reads");
  }
  const { openNetworkEvalData } = await import("./network_eval.ts");
  return openNetworkEvalData(source.dataset, source.backend);
}

/** Throws unless the model was trained on the data's classes and domains. */
export function checkCompatible(meta: ModelMeta, data: EvalData, where: string): void {
  if (meta.kind !== data.kind) {
    throw new TypeError(`Model "${where}" is a ${meta.kind}, but the data is for a ${data.kind}`);
  }
  if (meta.classes.join("\n") !== data.classes.join("\n")) {
    throw new TypeError(
      `Model "${where}" has classes "${meta.classes.join(", ")}", the data "${
        data.classes.join(", ")
      }"`,
    );
  }
  if (meta.domains.join("\n") !== data.domains.join("\n")) {
    throw new TypeError(
      `Model "${where}" has domains "${meta.domains.join(", ")}", the data "${
        data.domains.join(", ")
      }"`,
    );
  }
}
