/**
 * What a sweep table shows, as URL query parameters: the page's script
 * keeps them in the address bar, so a sorted, filtered view can be reloaded
 * and shared, and the server renders the same view without script.
 */
import { HttpError } from "./http_error.ts";

/** The table's view: which rows, in which order, with which columns. */
export interface SweepQuery {
  /** Only expansions of this YAML stage (null: all). */
  stage: string | null;
  /** Matrix axis to the value (as displayed) rows must have. */
  filters: Record<string, string>;
  /** Column key to sort by (null: topological order). */
  sort: string | null;
  descending: boolean;
  /** Column keys shown (null: every column). */
  columns: string[] | null;
}

/** The chart's choice: a headline metric against a matrix axis, a line per value of `by`. */
export interface ChartQuery {
  metric: string | null;
  x: string | null;
  /** Matrix axis drawn as one line per value ("" for a single line, null: a default). */
  by: string | null;
}

/** Prefix of the filter parameters: `f.seed=0`. */
export const FILTER_PREFIX = "f.";

/**
 * Reads the table's query parameters; an `order` other than asc or desc is a 400.
 *
 * @example
 * ```ts
 * parseSweepQuery(new URLSearchParams("stage=train&f.seed=0&sort=h:test_acc&order=desc"));
 * ```
 */
export function parseSweepQuery(params: URLSearchParams): SweepQuery {
  const filters: Record<string, string> = {};
  for (const [name, value] of params) {
    if (name.startsWith(FILTER_PREFIX) && value !== "") {
      filters[name.slice(FILTER_PREFIX.length)] = value;
    }
  }
  const order = params.get("order") ?? "asc";
  if (order !== "asc" && order !== "desc") {
    throw new HttpError(400, `Query parameter "order" must be asc or desc, got "${order}"`);
  }
  const cols = params.get("cols");
  return {
    stage: params.get("stage") || null,
    filters,
    sort: params.get("sort") || null,
    descending: order === "desc",
    columns: cols === null ? null : cols.split(",").filter((key) => key !== ""),
  };
}

/**
 * Reads the chart's query parameters.
 *
 * @example
 * ```ts
 * parseChartQuery(new URLSearchParams("metric=test_acc&x=dropout&by=method"));
 * ```
 */
export function parseChartQuery(params: URLSearchParams): ChartQuery {
  return {
    metric: params.get("metric") || null,
    x: params.get("x") || null,
    by: params.get("by"),
  };
}

/** The query string of a view (empty parts left out), for links. */
export function sweepSearch(query: SweepQuery, chart?: ChartQuery): string {
  const params = new URLSearchParams();
  if (query.stage) params.set("stage", query.stage);
  for (const [axis, value] of Object.entries(query.filters)) {
    params.set(`${FILTER_PREFIX}${axis}`, value);
  }
  if (query.sort) params.set("sort", query.sort);
  if (query.sort && query.descending) params.set("order", "desc");
  if (query.columns) params.set("cols", query.columns.join(","));
  if (chart?.metric) params.set("metric", chart.metric);
  if (chart?.x) params.set("x", chart.x);
  if (chart?.by !== null && chart?.by !== undefined) params.set("by", chart.by);
  const text = params.toString();
  return text ? `?${text}` : "";
}
