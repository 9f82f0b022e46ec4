/** The `with` parameters of an `average` stage. */
import { z } from "zod";
import { PathList } from "../_shared/path_list.ts";
import { BackendParam } from "@dropline/tensor";

const METHODS = ["uniform_soup", "greedy_soup", "ensemble", "wise_ft"] as const;

export const AverageParams = z.strictObject({
  runs: PathList.describe("finetune output directories (usually ${{ stages.finetune.out }})"),
  features: z.string().min(1).optional().describe("features directory, for heads"),
  dataset: z.string().min(1).optional().describe("data set directory, for networks"),
  backend: BackendParam,
  checkpoint: z.enum(["selected", "last"]).default("selected").describe(
    "which model of each run is an ingredient",
  ),
  group_by: z.array(z.string().min(1)).default(["test_domains"]).describe(
    "run parameters that split runs into groups",
  ),
  where: z.record(z.string(), z.unknown()).default({}).describe(
    "keep only runs with these parameter values",
  ),
  linear_probe: PathList.optional().describe(
    "finetune runs of linear heads on frozen features: WiSE-FT's starting endpoint, per test domain",
  ),
  methods: z.array(z.enum(METHODS)).min(1).optional().describe(
    "default: uniform_soup, greedy_soup, ensemble, and wise_ft when linear_probe is given",
  ),
  greedy_strict: z.boolean().default(false).describe(
    "greedy soup keeps an ingredient only on strict improvement",
  ),
  alphas: z.array(z.number().min(0).max(1)).min(1).default([
    0,
    0.1,
    0.2,
    0.3,
    0.4,
    0.5,
    0.6,
    0.7,
    0.8,
    0.9,
    1,
  ]),
}).refine((p) => p.features || p.dataset, {
  message: "Give `features` (heads) or `dataset` (networks)",
}).refine((p) => !(p.features && p.dataset), {
  message: "Give either `features` (heads) or `dataset` (networks), not both",
}).refine((p) => !p.methods?.includes("wise_ft") || p.linear_probe, {
  message:
    "WiSE-FT needs `linear_probe`: runs of a linear head on frozen features (its alpha = 0 end)",
  path: ["linear_probe"],
});

/** The methods a stage runs: as listed, else all that its inputs allow. */
export function methodsOf(p: AverageParams): Method[] {
  return p.methods ?? [...METHODS].filter((m) => m !== "wise_ft" || p.linear_probe);
}

export type Method = typeof METHODS[number];
export type AverageParams = z.output<typeof AverageParams>;
