/**
 * A small, dependency-free SVG chart: lines or scatter points with optional
 * error bars, axes with round ticks, a title and a legend. Every string is
 * escaped, so labels from pipelines cannot inject markup.
 *
 * @example
 * ```ts
 * const svg = renderPlot({
 *   title: "o.o.d. accuracy",
 *   xLabel: "dropout rate",
 *   yLabel: "accuracy (%)",
 *   series: [{ name: "sketch", points: [{ x: 0, y: 71 }, { x: 0.9, y: 78, err: 1.2 }] }],
 * });
 * ```
 */
export interface PlotPoint {
  x: number;
  y: number;
  /** Half-height of an error bar. */
  err?: number;
}

export interface PlotSeries {
  name: string;
  points: PlotPoint[];
  /** `line` (default) joins points; `scatter` draws points only; `dashed` is a dashed line. */
  style?: "line" | "scatter" | "dashed";
  color?: string;
}

export interface PlotOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  series: PlotSeries[];
  /**
   * A categorical x axis: point `x` values are indices into these labels (fractions between two
   * indices dodge overlapping series), spaced evenly whatever the values they name - so rates
   * such as 0, 0.5, 0.9, 0.95 do not crowd one edge.
   */
  xCategories?: string[];
  width?: number;
  height?: number;
}

/** Series colours, in order (a colour-blind-tolerant categorical palette). */
export const PALETTE = [
  "#1f77b4",
  "#d62728",
  "#2ca02c",
  "#ff7f0e",
  "#9467bd",
  "#8c564b",
  "#e377c2",
  "#7f7f7f",
  "#bcbd22",
  "#17becf",
];

export function escapeXml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!,
  );
}

/** About five round tick values, the first at or below `lo`, the last at or above `hi`. */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) [lo, hi] = [lo - 1, lo + 1];
  const raw = (hi - lo) / count;
  const magnitude = Math.pow(10, Math.floor(Math.log10(raw)));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((s) => s >= raw)!;
  const ticks: number[] = [];
  const first = Math.floor(lo / step + 1e-9), last = Math.ceil(hi / step - 1e-9);
  for (let k = first; k <= last; k++) ticks.push(Number((k * step).toPrecision(12)));
  return ticks;
}

export function renderPlot(options: PlotOptions): string {
  const width = options.width ?? 640, height = options.height ?? 400;
  const m = { left: 64, right: 170, top: 40, bottom: 52 };
  const points = options.series.flatMap((s) => s.points);
  const xs = points.map((p) => p.x),
    ys = points.flatMap((p) => [p.y - (p.err ?? 0), p.y + (p.err ?? 0)]);
  const categories = options.xCategories;
  const xTicks = categories
    ? categories.map((_, i) => i)
    : niceTicks(Math.min(...xs, Infinity) || 0, Math.max(...xs, -Infinity) || 1);
  const yTicks = niceTicks(Math.min(...ys, Infinity) || 0, Math.max(...ys, -Infinity) || 1);
  const [x0, x1] = categories
    ? [-0.5, Math.max(categories.length, 1) - 0.5]
    : [xTicks[0]!, xTicks.at(-1)!];
  const [y0, y1] = [yTicks[0]!, yTicks.at(-1)!];
  const xText = (t: number) => escapeXml(categories ? categories[t]! : String(t));
  const px = (x: number) => m.left + ((x - x0) / (x1 - x0 || 1)) * (width - m.left - m.right);
  const py = (y: number) =>
    height - m.bottom - ((y - y0) / (y1 - y0 || 1)) * (height - m.top - m.bottom);
  const f = (v: number) => v.toFixed(1);
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    `<text x="${f(width / 2)}" y="22" text-anchor="middle" font-size="15">${
      escapeXml(options.title)
    }</text>`,
  ];
  for (const t of xTicks) {
    out.push(
      `<line x1="${f(px(t))}" y1="${m.top}" x2="${f(px(t))}" y2="${
        height - m.bottom
      }" stroke="#eee"/>`,
    );
    out.push(
      `<text x="${f(px(t))}" y="${height - m.bottom + 16}" text-anchor="middle">${xText(t)}</text>`,
    );
  }
  for (const t of yTicks) {
    out.push(
      `<line x1="${m.left}" y1="${f(py(t))}" x2="${width - m.right}" y2="${
        f(py(t))
      }" stroke="#eee"/>`,
    );
    out.push(`<text x="${m.left - 6}" y="${f(py(t) + 4)}" text-anchor="end">${t}</text>`);
  }
  out.push(
    `<rect x="${m.left}" y="${m.top}" width="${width - m.left - m.right}" height="${
      height - m.top - m.bottom
    }" fill="none" stroke="#333"/>`,
    `<text x="${f((m.left + width - m.right) / 2)}" y="${height - 12}" text-anchor="middle">${
      escapeXml(options.xLabel)
    }</text>`,
    `<text transform="translate(16 ${
      f((m.top + height - m.bottom) / 2)
    }) rotate(-90)" text-anchor="middle">${escapeXml(options.yLabel)}</text>`,
  );
  options.series.forEach((s, i) =>
    out.push(...seriesSvg(s, s.color ?? PALETTE[i % PALETTE.length]!, px, py, f))
  );
  options.series.forEach((s, i) => {
    const y = m.top + 8 + i * 18, x = width - m.right + 12;
    const color = escapeXml(s.color ?? PALETTE[i % PALETTE.length]!);
    out.push(
      `<line x1="${x}" y1="${y}" x2="${x + 18}" y2="${y}" stroke="${color}" stroke-width="2"${
        s.style === "dashed" ? ' stroke-dasharray="5 3"' : ""
      }/>`,
    );
    out.push(`<text x="${x + 24}" y="${y + 4}">${escapeXml(s.name)}</text>`);
  });
  out.push("</svg>");
  return out.join("\n") + "\n";
}

function seriesSvg(
  s: PlotSeries,
  colorRaw: string,
  px: (x: number) => number,
  py: (y: number) => number,
  f: (v: number) => string,
): string[] {
  const color = escapeXml(colorRaw);
  const out: string[] = [];
  const sorted = s.style === "scatter" ? s.points : [...s.points].sort((a, b) => a.x - b.x);
  if (s.style !== "scatter" && sorted.length > 1) {
    const d = sorted.map((p, i) => `${i ? "L" : "M"}${f(px(p.x))} ${f(py(p.y))}`).join(" ");
    out.push(
      `<path d="${d}" fill="none" stroke="${color}" stroke-width="2"${
        s.style === "dashed" ? ' stroke-dasharray="5 3"' : ""
      }/>`,
    );
  }
  for (const p of sorted) {
    if (p.err) {
      out.push(
        `<line x1="${f(px(p.x))}" y1="${f(py(p.y - p.err))}" x2="${f(px(p.x))}" y2="${
          f(py(p.y + p.err))
        }" stroke="${color}"/>`,
      );
    }
    if (s.style === "scatter" || sorted.length < 40) {
      out.push(
        `<circle cx="${f(px(p.x))}" cy="${f(py(p.y))}" r="${
          s.style === "scatter" ? 4 : 3
        }" fill="${color}" fill-opacity="0.8"/>`,
      );
    }
  }
  return out;
}
