/**
 * `--filter` and `--sort` of `deno task exp`: conditions on a row's columns
 * (`dropout>=0.9`, `method=soup`, `state!=cached`) and an order by one column.
 * Pure functions over {@linkcode SweepRow}s.
 */
import { didYouMean, flattenParams, type SweepRow, UsageError } from "@dropline/engine";

const OPERATORS = [">=", "<=", "!=", "==", "=", "<", ">", "~"] as const;
type Operator = typeof OPERATORS[number];

/** One parsed `--filter` condition. */
export interface SweepFilter {
  key: string;
  op: Operator;
  value: string;
}

const FILTER_SYNTAX = `expected KEY OP VALUE with OP one of ${
  OPERATORS.join(" ")
} (~ means "contains"), e.g. "dropout>=0.9", "method=soup", "state!=cached"`;

/**
 * Parses a `--filter` expression.
 *
 * @example
 * ```ts
 * parseFilter("dropout>=0.9"); // { key: "dropout", op: ">=", value: "0.9" }
 * ```
 */
export function parseFilter(text: string): SweepFilter {
  const match = /^\s*([^\s<>=!~]+)\s*(>=|<=|!=|==|=|<|>|~)\s*(.*?)\s*$/.exec(text);
  if (!match || match[3] === "") {
    throw new UsageError(`exp: --filter "${text}": ${FILTER_SYNTAX}`);
  }
  const [, key, op, value] = match as unknown as [string, string, Operator, string];
  if ((op === "<" || op === "<=" || op === ">" || op === ">=") && !isNumber(value)) {
    throw new UsageError(`exp: --filter "${text}": "${op}" expects a number, got "${value}"`);
  }
  return { key, op, value };
}

/**
 * A row's value of a column: `stage` (the YAML stage name), `id`, `task`,
 * `state`, `duration` (ms), then a matrix axis, a headline metric or a
 * (dotted) parameter; `matrix.`, `metrics.` and `params.` pick one
 * explicitly. Undefined when the row has no such column.
 *
 * @example
 * ```ts
 * columnValue(row, "dropout"); // 0.9 (the matrix value)
 * columnValue(row, "params.lr_decay.factor"); // 0.1
 * ```
 */
export function columnValue(row: SweepRow, key: string): unknown {
  const fixed: Record<string, unknown> = {
    stage: row.name,
    id: row.stage,
    task: row.task,
    state: row.state,
    duration: row.durationMs ?? undefined,
  };
  if (key in fixed) return fixed[key];
  const params = flattenParams(row.params);
  const [scope, ...rest] = key.split(".");
  const inner = rest.join(".");
  if (scope === "matrix" && inner in row.matrix) return row.matrix[inner];
  if (scope === "metrics" && inner in row.metrics) return row.metrics[inner];
  if (scope === "params" && inner in params) return params[inner];
  if (key in row.matrix) return row.matrix[key];
  if (key in row.metrics) return row.metrics[key];
  return params[key];
}

/** Every column name the rows have, for "did you mean" and `--help`. */
export function columnNames(rows: readonly SweepRow[]): string[] {
  const names = new Set(["stage", "id", "task", "state", "duration"]);
  for (const row of rows) {
    for (const key of Object.keys(row.matrix)) names.add(key);
    for (const key of Object.keys(row.metrics)) names.add(key);
    for (const key of Object.keys(flattenParams(row.params))) names.add(key);
  }
  return [...names];
}

/**
 * The rows meeting every condition. A row without the column does not
 * match; a column no row has is a {@linkcode UsageError} naming the close ones.
 *
 * @example
 * ```ts
 * filterRows(rows, [parseFilter("dropout>=0.9"), parseFilter("state=succeeded")]);
 * ```
 */
export function filterRows(rows: readonly SweepRow[], filters: readonly SweepFilter[]): SweepRow[] {
  for (const filter of filters) checkColumn(rows, filter.key, "--filter");
  return rows.filter((row) => filters.every((filter) => matches(row, filter)));
}

function matches(row: SweepRow, { key, op, value }: SweepFilter): boolean {
  const cell = columnValue(row, key);
  if (cell === undefined) return false;
  const text = cell !== null && typeof cell === "object" ? JSON.stringify(cell) : String(cell);
  if (op === "~") return text.includes(value);
  const equal = typeof cell === "number" && isNumber(value)
    ? cell === Number(value)
    : text === value;
  if (op === "=" || op === "==") return equal;
  if (op === "!=") return !equal;
  if (typeof cell !== "number") return false;
  const n = Number(value);
  return op === "<" ? cell < n : op === "<=" ? cell <= n : op === ">" ? cell > n : cell >= n;
}

/** A parsed `--sort KEY[:asc|:desc]`. */
export interface SweepSort {
  key: string;
  descending: boolean;
}

/**
 * Parses `--sort`: a column, ascending unless it ends in `:desc`.
 *
 * @example
 * ```ts
 * parseSort("test_acc:desc"); // { key: "test_acc", descending: true }
 * ```
 */
export function parseSort(text: string): SweepSort {
  const match = /^([^:\s]+)(?::(asc|desc))?$/.exec(text.trim());
  if (!match) {
    throw new UsageError(
      `exp: --sort "${text}": expected a column, optionally with :asc or :desc, e.g. "test_acc:desc"`,
    );
  }
  return { key: match[1]!, descending: match[2] === "desc" };
}

/**
 * The rows ordered by one column: numbers by value, text by text; rows
 * without a value come last either way; ties keep their order.
 */
export function sortRows(rows: readonly SweepRow[], sort: SweepSort): SweepRow[] {
  checkColumn(rows, sort.key, "--sort");
  const sign = sort.descending ? -1 : 1;
  return [...rows].sort((a, b) => {
    const [x, y] = [columnValue(a, sort.key), columnValue(b, sort.key)];
    const [xMissing, yMissing] = [x === undefined || x === null, y === undefined || y === null];
    if (xMissing || yMissing) return Number(xMissing) - Number(yMissing);
    if (typeof x === "number" && typeof y === "number") return sign * (x - y);
    return sign * String(x).localeCompare(String(y));
  });
}

function checkColumn(rows: readonly SweepRow[], key: string, flag: string): void {
  if (rows.length === 0 || rows.some((row) => columnValue(row, key) !== undefined)) return;
  const names = columnNames(rows);
  const hint = didYouMean(key, names);
  throw new UsageError(
    `exp: ${flag}: no column "${key}"${hint || `; the columns are ${names.join(", ")}`}`,
  );
}

function isNumber(text: string): boolean {
  return text.trim() !== "" && Number.isFinite(Number(text));
}
