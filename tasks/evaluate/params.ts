/** The `with` parameters of an `evaluate` stage. */
import { z } from "zod";
import { PathList } from "../_shared/path_list.ts";
import { BackendParam } from "@dropline/tensor";

const DomainRef = z.union([z.string().min(1), z.int().nonnegative()]);

export const EvaluateParams = z.strictObject({
  model: PathList.describe("model, ensemble or finetune run directory; several make an ensemble"),
  features: z.string().min(1).optional().describe("features directory, for heads"),
  dataset: z.string().min(1).optional().describe("data set directory, for networks"),
  backend: BackendParam,
  checkpoint: z.enum(["selected", "last", "initial"]).default("selected").describe(
    "which model of a finetune run",
  ),
  test_domains: z.array(DomainRef).min(1).optional().describe("override the model's test domains"),
}).refine((p) => p.features || p.dataset, {
  message: "Give `features` (heads) or `dataset` (networks)",
}).refine((p) => !(p.features && p.dataset), {
  message: "Give either `features` (heads) or `dataset` (networks), not both",
});
export type EvaluateParams = z.output<typeof EvaluateParams>;
