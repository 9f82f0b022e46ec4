/**
 * The report's opening sentence, computed from the parameters the runs actually used (what was
 * swept, how long runs trained), so a `--set` override shows in the text.
 */
import { formatValue } from "@dropline/ml";
import type { ReportItem } from "./_report_items.ts";

/** The distinct values of a parameter over items, in order: "0, 0.5, 0.9". */
function values(items: ReportItem[], field: string): string {
  const seen = [...new Set(items.map((i) => i.params[field]).filter((v) => v !== undefined))];
  const sorted = seen.every((v) => typeof v === "number")
    ? (seen as number[]).sort((a, b) => a - b)
    : seen;
  return sorted.map((v) => formatValue(v)).join(", ") || "-";
}

export function describeItems(items: ReportItem[], columns: string[], trialsBy: string[]): string {
  const runs = items.filter((i) => i.source === "run" && i.method === "finetune");
  const probes = items.filter((i) => i.method === "linear_probe");
  const averaged = items.filter((i) => i.source === "average");
  const evaluations = items.filter((i) => i.source === "evaluation");
  const parts: string[] = [];
  if (runs.length) {
    parts.push(
      `${runs.length} fine-tuning runs (weights trained: ${values(runs, "train")}; ` +
        `p ∈ {${values(runs, "dropout")}}, lr ∈ {${values(runs, "lr")}}, ` +
        `seeds {${values(runs, "seed")}}; ${values(runs, "steps")} steps of ` +
        `${values(runs, "batch_size")} examples per training domain, weight decay ` +
        `${values(runs, "weight_decay")}, head lr ×${values(runs, "head_lr_mult")})`,
    );
  }
  if (probes.length) {
    parts.push(
      `${probes.length} linear probes on frozen features (lr ∈ {${values(probes, "lr")}}, ` +
        `${values(probes, "steps")} steps)`,
    );
  }
  if (averaged.length) parts.push(`${averaged.length} averaged models and ensembles`);
  if (evaluations.length) parts.push(`${evaluations.length} evaluations`);
  return `${parts.join("; ")}. Test domains ${columns.map((c) => `"${c}"`).join(", ")}; ` +
    `trials by ${trialsBy.join(", ") || "nothing"}; standard errors over trials as DomainBed ` +
    `computes them (n in the denominator); a cell without ± had one trial (an ensemble or soup ` +
    `combines every seed into one model).`;
}
