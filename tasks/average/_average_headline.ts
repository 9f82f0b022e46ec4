/**
 * `average`'s headline metrics: per method, validation and test accuracy,
 * each the mean over the method's outputs (one per group; WiSE-FT has one
 * per run of a group). Light: the CLI imports it with the task.
 */
import { numberAt } from "@dropline/task";

/** `{<method>.val_acc, <method>.test_acc}` from the parsed `average.json`. */
export function averageHeadline(content: unknown): Record<string, number | null> {
  const byMethod = new Map<string, { val: number[]; test: number[] }>();
  const groups = (content as { groups?: unknown } | null)?.groups;
  for (const group of Array.isArray(groups) ? groups : []) {
    const outputs = (group as { outputs?: unknown } | null)?.outputs;
    for (const output of Array.isArray(outputs) ? outputs : []) {
      const method = (output as { method?: unknown } | null)?.method;
      if (typeof method !== "string") continue;
      const entry = byMethod.get(method) ?? { val: [], test: [] };
      byMethod.set(method, entry);
      const val = numberAt(output, "evaluation.val_acc");
      const test = numberAt(output, "evaluation.ood");
      if (val !== null) entry.val.push(val);
      if (test !== null) entry.test.push(test);
    }
  }
  const metrics: Record<string, number | null> = {};
  for (const [method, { val, test }] of byMethod) {
    metrics[`${method}.val_acc`] = mean(val);
    metrics[`${method}.test_acc`] = mean(test);
  }
  return metrics;
}

function mean(values: number[]): number | null {
  return values.length ? values.reduce((a, b) => a + b, 0) / values.length : null;
}
