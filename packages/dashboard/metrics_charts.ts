/**
 * Groups a stage's metric series into the charts the stage page draws: loss,
 * accuracies (one line per domain), learning rate, dropout rate, and the rest.
 * Pure; the page's script hands each chart to uPlot as it is.
 */
import type { MetricSeries } from "@dropline/engine";

/** One chart: shared x values (steps) and one y array per series (null = no value). */
export interface ChartData {
  title: string;
  steps: number[];
  series: Array<{ name: string; values: Array<number | null> }>;
}

const KINDS: Array<{ title: string; test: RegExp }> = [
  { title: "Loss", test: /loss/i },
  { title: "Accuracy", test: /acc/i },
  { title: "Learning rate", test: /(^|[^a-z])lr($|[^a-z])|learning.?rate/i },
  { title: "Dropout rate", test: /dropout|drop.?rate/i },
];

function align(title: string, names: string[], metrics: MetricSeries): ChartData {
  const steps = [...new Set(names.flatMap((name) => (metrics[name] ?? []).map(([s]) => s)))]
    .sort((a, b) => a - b);
  const index = new Map(steps.map((step, i) => [step, i]));
  const series = names.map((name) => {
    const values: Array<number | null> = new Array(steps.length).fill(null);
    for (const [step, value] of metrics[name] ?? []) values[index.get(step) ?? 0] = value;
    return { name, values };
  });
  return { title, steps, series };
}

/**
 * Names of series that are 0 at every logged step: a task without dropout
 * logs `dropout: 0` throughout, and a flat line at zero tells nothing.
 *
 * @example
 * ```ts
 * flatZeroMetrics({ loss: [[0, 2]], dropout: [[0, 0], [10, 0]] }); // ["dropout"]
 * ```
 */
export function flatZeroMetrics(metrics: MetricSeries): string[] {
  return Object.keys(metrics).sort().filter((name) => {
    const points = metrics[name] ?? [];
    return points.length > 0 && points.every(([, value]) => value === 0);
  });
}

/**
 * Sorts metric names into charts by kind, in a fixed order; names that fit no
 * kind share an "Other" chart. Series that are 0 throughout are left out
 * (`flatZeroMetrics` names them).
 *
 * @example
 * ```ts
 * chartMetrics({ loss: [[0, 2.3]], "acc/photo": [[0, 0.5]] }).map((c) => c.title);
 * // ["Loss", "Accuracy"]
 * ```
 */
export function chartMetrics(metrics: MetricSeries): ChartData[] {
  const flat = new Set(flatZeroMetrics(metrics));
  const names = Object.keys(metrics).sort().filter((name) => !flat.has(name));
  const taken = new Set<string>();
  const charts: ChartData[] = [];
  for (const kind of KINDS) {
    const members = names.filter((name) => !taken.has(name) && kind.test.test(name));
    members.forEach((name) => taken.add(name));
    if (members.length > 0) charts.push(align(kind.title, members, metrics));
  }
  const rest = names.filter((name) => !taken.has(name));
  if (rest.length > 0) charts.push(align("Other", rest, metrics));
  return charts;
}
