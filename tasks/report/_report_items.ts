/**
 * What `report` tabulates: every scored model as one item (a run's selected
 * checkpoint, an averaged model, an evaluation), and how items become table
 * entries - row (method and the `rows_by` fields), column (test domains),
 * trial (the `trials_by` fields) and configuration (everything else, chosen by
 * training-domain validation).
 */
import { fieldValue, formatValue, type TableEntry, varyingFields } from "@dropline/ml";

export interface ReportItem {
  source: "run" | "average" | "evaluation";
  method: string;
  params: Record<string, unknown>;
  testDomains: string[];
  val: number;
  iid: number | null;
  ood: number | null;
  /**
   * DomainBed's oracle (test-domain validation): `val` is the test domains' out-split accuracy and
   * `test` their in-split accuracy, of a run's last checkpoint (an averaged model: itself).
   */
  oracle: { val: number; test: number } | null;
  path: string;
  /**
   * The checkpoint scored when it is not the selected one (`last`, `initial`): such a model is
   * not the method's result, so it gets a row of its own.
   */
  checkpoint?: string;
  /** Evaluation records of a run's training, for curves. */
  curve?: ({ step: number } & Record<string, number>)[];
}

export interface Layout {
  rowsBy: string[];
  trialsBy: string[];
}

const METHOD_LABELS: Record<string, string> = {
  finetune: "Fine-tune",
  ensemble: "Ensemble",
  uniform_soup: "Uniform soup",
  greedy_soup: "Greedy soup",
  wise_ft: "WiSE-FT",
  linear_probe: "Linear probe",
};
const METHOD_ORDER = Object.keys(METHOD_LABELS);

/** Fields that describe a result rather than choose it. */
const NOT_CONFIG = [
  "test_domains",
  "checkpoint",
  "step",
  "members",
  "ingredients",
  "run",
  "linear_probe",
  "strict",
];

export function rowLabel(item: ReportItem, layout: Layout): string {
  // One baseline row: the probe's own settings (its lr, seed) are selected or averaged within it.
  if (item.method === "linear_probe") return METHOD_LABELS.linear_probe!;
  const parts: string[] = [];
  for (const field of layout.rowsBy) {
    const value = fieldValue(item.params, field);
    if (value === null || (field === "schedule.kind" && value === "constant")) continue;
    parts.push(
      field === "dropout" ? `p=${value}` : `${field.split(".")[0]}=${formatValue(value)}`,
    );
  }
  if (item.checkpoint) parts.push(`checkpoint=${item.checkpoint}`);
  const base = METHOD_LABELS[item.method] ?? item.method;
  return parts.length ? `${base} (${parts.join(", ")})` : base;
}

export function columnOf(item: ReportItem): string {
  return item.testDomains.join("+");
}

export function trialOf(item: ReportItem, layout: Layout): string {
  const values = layout.trialsBy.map((f) => fieldValue(item.params, f)).filter((v) => v !== null);
  return values.length ? values.map(formatValue).join(",") : "all";
}

/** The item's configuration: its values of `fields` (the hyper-parameters that vary within its row). */
export function configOf(item: ReportItem, fields: readonly string[]): string {
  const text = (
    v: unknown,
  ) => (typeof v === "number" ? String(Number(v.toPrecision(6))) : formatValue(v));
  return fields.map((k) => `${k}=${text(item.params[k])}`).join(", ") || "-";
}

/** Per row label, the parameters that vary between its items and are neither row nor trial fields. */
export function configFields(items: ReportItem[], layout: Layout): Map<string, string[]> {
  const skip = new Set([
    ...NOT_CONFIG,
    ...layout.rowsBy.map((f) => f.split(".")[0]!),
    ...layout.trialsBy,
  ]);
  const byRow = new Map<string, ReportItem[]>();
  for (const item of items) {
    const label = rowLabel(item, layout);
    byRow.set(label, [...byRow.get(label) ?? [], item]);
  }
  return new Map([...byRow].map(([label, mine]) => [
    label,
    varyingFields(mine.map((i) => i.params)).filter((f) => !skip.has(f)),
  ]));
}

/**
 * Table entries of every item with a score for `metric`: `ood` and `iid` are selected by
 * training-domain validation, `oracle` by test-domain validation.
 */
export function tableEntries(
  items: ReportItem[],
  layout: Layout,
  metric: "ood" | "iid" | "oracle",
): TableEntry[] {
  const fields = configFields(items, layout);
  const scored = items.filter((i) => i[metric] !== null);
  return scored.map((item) => ({
    row: rowLabel(item, layout),
    column: columnOf(item),
    trial: trialOf(item, layout),
    config: configOf(item, fields.get(rowLabel(item, layout)) ?? []),
    val: metric === "oracle" ? item.oracle!.val : item.val,
    test: metric === "oracle" ? item.oracle!.test : item[metric]!,
  }));
}

/**
 * The oracle's pair from per-domain accuracies: the mean over the test domains of their out-split
 * (selection) and in-split (reported) accuracy; null when a split was not scored.
 */
export function oracleOf(
  accuracy: Record<string, { in: number | null; out: number | null }> | undefined,
  testDomains: readonly string[],
): { val: number; test: number } | null {
  const splits = testDomains.map((d) => accuracy?.[d]);
  if (!splits.length || splits.some((a) => a?.in == null || a?.out == null)) return null;
  const mean = (k: "in" | "out") => splits.reduce((sum, a) => sum + a![k]!, 0) / splits.length;
  return { val: mean("out"), test: mean("in") };
}

/**
 * The checkpoint a record scored, from its params, when it is not the selected one (`evaluate`
 * records it; soups and ensembles of selected checkpoints drop it).
 */
export function checkpointOf(params: Record<string, unknown>): string | undefined {
  const checkpoint = params.checkpoint;
  return typeof checkpoint === "string" && checkpoint !== "selected" ? checkpoint : undefined;
}

/**
 * Row labels in reading order: methods as listed above (the selected checkpoint before others),
 * then by dropout rate, then by name.
 */
export function rowOrder(items: ReportItem[], layout: Layout): string[] {
  const rank = (item: ReportItem) => {
    const m = METHOD_ORDER.indexOf(item.method);
    return m < 0 ? METHOD_ORDER.length : m;
  };
  const late = (item: ReportItem) => item.checkpoint ? 1 : 0;
  const sorted = [...items].sort((a, b) =>
    rank(a) - rank(b) || late(a) - late(b) ||
    Number(a.params.dropout ?? 0) - Number(b.params.dropout ?? 0) ||
    rowLabel(a, layout).localeCompare(rowLabel(b, layout))
  );
  return [...new Set(sorted.map((i) => rowLabel(i, layout)))];
}
