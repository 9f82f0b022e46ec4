/**
 * The `with` schema of a `finetune` stage: the shared `FinetuneParams` plus
 * the rules between fields, so a combination that would be ignored or would
 * train something else than asked is refused at load time, with its field.
 */
import { z } from "zod";
import { FinetuneParams } from "../_shared/finetune_params.ts";

/** Fields only the backbone path reads. */
const BACKBONE_ONLY = [
  "layer",
  "train",
  "batchnorm",
  "augment",
  "micro_batch",
  "eval_batch",
  "backend",
] as const;

// Defaults are filled in before a refinement sees the value: a field is "given"
// when it differs from its default (an explicit default changes nothing).
const DEFAULTS = FinetuneParams.parse({ features: "-", test_domains: 0 });

/**
 * `finetune`'s parameters, checked together.
 *
 * @example
 * ```ts
 * FinetuneWith.safeParse({ features: "f", test_domains: 0, batchnorm: "train" }).success; // false
 * ```
 */
export const FinetuneWith = FinetuneParams.safeExtend({
  train: z.union([
    z.enum(["all", "head"]),
    z.strictObject({ last_blocks: z.int().positive() }),
  ], { error: "Expected `all`, `head` or `{last_blocks: N}` (N a positive integer)" })
    .default("all").describe(
      "backbone path: which weights train with the head: all, head (only), or {last_blocks: N}",
    ),
}).superRefine((p, ctx) => {
  const say = (path: (string | number)[], message: string) =>
    ctx.addIssue({ code: "custom", path, message });
  if (p.features) {
    for (const field of BACKBONE_ONLY) {
      if (JSON.stringify(p[field]) !== JSON.stringify(DEFAULTS[field])) {
        say([field], `\`${field}\` needs \`backbone\`: with \`features\` only a head trains`);
      }
    }
  }
  if (p.backbone && p.hidden.length > 0) {
    say(
      ["hidden"],
      "A hidden head layer needs `features`: the backbone path's head is dropout → dense",
    );
  }
  const { kind, cutoff, decay } = p.schedule;
  if (kind === "constant" && cutoff !== 0) {
    say(["schedule", "cutoff"], "`cutoff` applies to `early` and `late` schedules only");
  } else if (kind !== "constant" && !(cutoff > 0 && cutoff < p.steps)) {
    const what = kind === "early" ? "stops" : "starts";
    say(
      ["schedule", "cutoff"],
      p.steps > 1
        ? `The \`${kind}\` schedule ${what} dropout at step \`cutoff\`: expected a step from 1 to ${
          p.steps - 1
        } (\`steps\` is ${p.steps})`
        : `The \`${kind}\` schedule needs \`steps\` above 1 to switch dropout at a \`cutoff\``,
    );
  }
  if (kind !== "early" && decay !== "constant") {
    say(["schedule", "decay"], "`decay` applies to `early` schedules only");
  }
});
