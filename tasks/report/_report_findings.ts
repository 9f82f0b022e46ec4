/**
 * The report's "findings" paragraph, computed from its numbers: did fine-tuning with very large
 * dropout (p >= 0.9) beat plain fine-tuning, the output ensembles and the soups in this run?
 * The answer is whatever the table says; every figure quoted is a table value.
 */
import type { MeanStderr, Table } from "@dropline/ml";
import type { ReportItem } from "./_report_items.ts";
import { headlineScope, ratesOf, type RowInfo, valueOf } from "./_report_rows.ts";

const VERY_LARGE = 0.9;
const COMBINED: [string, string][] = [
  ["ensemble", "the output ensemble"],
  ["uniform_soup", "the uniform soup"],
  ["greedy_soup", "the greedy soup"],
  ["wise_ft", "WiSE-FT"],
];

const pct = (v: MeanStderr) =>
  v.stderr === null
    ? (100 * v.mean).toFixed(1)
    : `${(100 * v.mean).toFixed(1)} ± ${(100 * v.stderr).toFixed(1)}`;

/** The best row of a method over every rate (the strongest competitor, chosen by its own score). */
function bestOf(table: Table, infos: Map<string, RowInfo>, method: string) {
  let best: { p: number; v: MeanStderr } | null = null;
  for (const p of ratesOf(table, infos, method)) {
    const v = valueOf(table, infos, method, p);
    if (v && (!best || v.mean > best.v.mean)) best = { p, v };
  }
  return best;
}

/** The gap a - b in points, and whether it is within the two standard errors added up. */
function compare(a: MeanStderr, b: MeanStderr): { beat: boolean; gap: string; within: string } {
  const gap = 100 * (a.mean - b.mean);
  const noise = 100 * ((a.stderr ?? 0) + (b.stderr ?? 0));
  return {
    beat: gap > 0,
    gap: `${gap > 0 ? "+" : gap < 0 ? "−" : "±"}${Math.abs(gap).toFixed(1)} points`,
    within: Math.abs(gap) <= noise ? " (within the standard errors)" : "",
  };
}

export function findings(table: Table, infos: Map<string, RowInfo>, items: ReportItem[]): string {
  const rates = ratesOf(table, infos, "finetune");
  const large = rates.filter((p) => p >= VERY_LARGE);
  const plain = valueOf(table, infos, "finetune", 0);
  if (large.length === 0 || !plain) {
    return "No fine-tuning runs with both p = 0 and a very large rate (p >= 0.9): nothing to compare.";
  }
  const parts = [`Test-domain accuracy (%, ${headlineScope(table)}, training-domain validation).`];
  const rivals = COMBINED.flatMap(([method, name]) => {
    const best = bestOf(table, infos, method);
    return best ? [{ name: `${name} (best at p=${best.p})`, v: best.v }] : [];
  });
  const probe = valueOf(table, infos, "linear_probe", null);
  for (const p of large) {
    const v = valueOf(table, infos, "finetune", p)!;
    const against = [{ name: "plain fine-tuning (p=0)", v: plain }, ...rivals];
    const results = against.map((r) => ({ ...r, ...compare(v, r.v) }));
    const beaten = results.filter((r) => r.beat).length;
    parts.push(
      `Fine-tuning with p=${p} reached ${pct(v)}: ` +
        results.map((r) => `${r.gap} against ${r.name}, ${pct(r.v)}${r.within}`).join("; ") +
        `. So very large dropout (p=${p}) ${
          beaten === results.length
            ? "**beat** plain fine-tuning and every ensemble and soup"
            : beaten === 0
            ? "**did not beat** plain fine-tuning or any ensemble or soup"
            : `**beat ${beaten} of ${results.length}** (${
              results.filter((r) => r.beat).map((r) =>
                r.name
              ).join(", ")
            }) but not ${results.filter((r) => !r.beat).map((r) => r.name).join(", ")}`
        } in this run.`,
    );
  }
  if (probe) parts.push(`The frozen-feature linear probe: ${pct(probe)}.`);
  parts.push(...averagingFacts(items));
  return parts.join(" ");
}

/** Whether ensembles and uniform soups differ, and which WiSE-FT alphas validation chose. */
function averagingFacts(items: ReportItem[]): string[] {
  const facts: string[] = [];
  const keyOf = (i: ReportItem) =>
    JSON.stringify([i.testDomains, i.params.dropout, i.params.lr, i.params.weight_decay]);
  const scored = items.filter((i) => i.ood !== null && !i.checkpoint);
  const soups = new Map(
    scored.filter((i) => i.method === "uniform_soup").map((i) => [keyOf(i), i]),
  );
  const gaps = scored.filter((i) => i.method === "ensemble")
    .flatMap((e) => {
      const soup = soups.get(keyOf(e));
      return soup ? [100 * Math.abs(e.ood! - soup.ood!)] : [];
    });
  if (gaps.length) {
    const differ = gaps.filter((g) => g > 0).length;
    facts.push(
      `Output ensembles and uniform soups of the same runs differ in ${differ} of ${gaps.length} ` +
        `cases (largest gap ${
          Math.max(...gaps).toFixed(1)
        } points on the test domain; they would ` +
        `be equal for linear heads on shared frozen features).`,
    );
  }
  const alphas = items.filter((i) => i.method === "wise_ft" && typeof i.params.alpha === "number")
    .map((i) => i.params.alpha as number);
  if (alphas.length) {
    const counts = new Map<number, number>();
    for (const a of alphas) counts.set(a, (counts.get(a) ?? 0) + 1);
    const list = [...counts].sort((a, b) => a[0] - b[0]).map(([a, n]) => `${a}: ${n}`).join(", ");
    facts.push(
      `WiSE-FT's alpha chosen by training-domain validation, over ${alphas.length} runs: ${list} ` +
        `(alpha = 1 is the fine-tuned network, 0 the linear-probe network).`,
    );
  }
  return facts;
}
