/**
 * What dropline records about a model, inside `model.json` as
 * `userDefinedMetadata.dropline`: which classes and domains it knows, which
 * domains it was trained and tested on, the digest of the weights it started
 * from (soups refuse different starts), how it was made, and what it reads.
 *
 * @example
 * ```ts
 * const meta = modelMetaOf(json); // throws when the model was not made by dropline
 * ```
 */
import { z } from "zod";
import type { ModelJson } from "./model_dir.ts";

export const ModelMeta = z.object({
  /** `head`: reads a features directory; `network`: reads images of a data set. */
  kind: z.enum(["head", "network"]),
  classes: z.array(z.string()),
  domains: z.array(z.string()),
  trainDomains: z.array(z.string()),
  testDomains: z.array(z.string()),
  /** SHA-256 of the initial weights (the starting point). */
  start: z.string(),
  /** `finetune`, `uniform_soup`, `greedy_soup`, `wise_ft`. */
  method: z.string(),
  /** Hyper-parameters and provenance shown in reports (dropout, lr, seed, alpha, members...). */
  params: z.record(z.string(), z.unknown()),
  /** For networks: the backbone description (input size, pre-processing). */
  input: z.record(z.string(), z.unknown()).optional(),
});
export type ModelMeta = z.infer<typeof ModelMeta>;

export function modelMetaOf(json: ModelJson, where = "model"): ModelMeta {
  const parsed = ModelMeta.safeParse(json.userDefinedMetadata?.dropline);
  if (!parsed.success) {
    throw new TypeError(
      `Model "${where}" has no dropline description (was it made by finetune or average?)`,
    );
  }
  return parsed.data;
}

/** A model.json carrying `meta`. */
export function withMeta(json: ModelJson, meta: ModelMeta): ModelJson {
  return { ...json, userDefinedMetadata: { ...json.userDefinedMetadata, dropline: meta } };
}
