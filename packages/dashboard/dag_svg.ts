/**
 * Draws a laid-out DAG as inline SVG. Nodes carry `data-stage` / `data-group`
 * and a `st-<state>` class so the run page's script can recolour them live.
 */
import { STATE_ORDER } from "./_format.ts";
import { html, type SafeHtml } from "./_html.ts";
import type { DagLayout, Point } from "./dag_layout.ts";
import { type DagChip, type DagModel, type DagNode, GEOMETRY, squaresPerRow } from "./dag_model.ts";

/** Links the drawing needs from its page. */
export interface DagLinks {
  stage(stageId: string): string;
  /** Link that toggles a group between collapsed and expanded. */
  toggle(name: string, expanded: boolean): string;
}

function truncate(label: string): string {
  return label.length > GEOMETRY.maxLabel ? `${label.slice(0, GEOMETRY.maxLabel - 1)}…` : label;
}

function edgePath(points: Point[]): string {
  const [first, ...rest] = points;
  if (!first) return "";
  let d = `M${first.x.toFixed(1)},${first.y.toFixed(1)}`;
  // Quadratic segments through midpoints give smooth curves along dagre's bends.
  for (let i = 0; i < rest.length - 1; i++) {
    const p = rest[i] as Point;
    const q = rest[i + 1] as Point;
    d += ` Q${p.x.toFixed(1)},${p.y.toFixed(1)} ${((p.x + q.x) / 2).toFixed(1)},${
      ((p.y + q.y) / 2).toFixed(1)
    }`;
  }
  const last = rest[rest.length - 1];
  if (last) d += ` L${last.x.toFixed(1)},${last.y.toFixed(1)}`;
  return d;
}

/** Stacked bar of member states, recomputed by the page's script on updates. */
function stateBar(node: DagNode, width: number): SafeHtml {
  let x = 0;
  const segments = STATE_ORDER.map((state) => {
    const share = (node.counts[state] ?? 0) / Math.max(node.size, 1);
    const segment = html`
      <rect class="st-${state}" x="${x.toFixed(1)}" width="${(share * width).toFixed(
        1,
      )}" height="6" />
    `;
    x += share * width;
    return segment;
  });
  return html`
    <g class="bar" data-width="${width}"
      transform="translate(${GEOMETRY.padding},${GEOMETRY.groupHeight -
        14})"><rect class="track" width="${width}" height="6"/>${segments}</g>
  `;
}

function stageBox(node: DagNode, links: DagLinks): SafeHtml {
  return html`
    <a
      href="${links.stage(node.name)}"><g class="node st-${node.state}" data-stage="${node
        .name}"><rect width="${node.width}" height="${node.height}" rx="6"/><text x="${GEOMETRY
        .padding}" y="${node.height / 2 + 4}">${truncate(node.label)}</text><title>${node
        .name}</title></g></a>
  `;
}

function chip(item: DagChip, index: number, width: number, links: DagLinks): SafeHtml {
  const x = GEOMETRY.padding;
  const y = GEOMETRY.groupHeight - 4 + index * (GEOMETRY.chipHeight + 4);
  return html`
    <a
      href="${links.stage(item.stageId)}"><g class="node chip st-${item.state}" data-stage="${item
        .stageId}" transform="translate(${x},${y})"><rect width="${width}" height="${GEOMETRY
        .chipHeight}" rx="4"/><text x="8" y="15">${truncate(item.label)}</text><title>${item
        .stageId}</title></g></a>
  `;
}

function square(item: DagChip, index: number, perRow: number, links: DagLinks): SafeHtml {
  const cell = GEOMETRY.square + GEOMETRY.squareGap;
  const x = GEOMETRY.padding + (index % perRow) * cell;
  const y = GEOMETRY.groupHeight - 4 + Math.floor(index / perRow) * cell;
  return html`
    <a
      href="${links.stage(item.stageId)}"><g class="node chip square st-${item
        .state}" data-stage="${item
        .stageId}" transform="translate(${x},${y})"><rect width="${GEOMETRY
        .square}" height="${GEOMETRY.square}" rx="3"/><title>${item.stageId}</title></g></a>
  `;
}

function chips(node: DagNode, links: DagLinks): SafeHtml[] {
  if (node.compact) {
    const perRow = squaresPerRow(node.chips.length);
    return node.chips.map((item, i) => square(item, i, perRow, links));
  }
  const chipWidth = node.width - 2 * GEOMETRY.padding - 6;
  return node.chips.map((item, i) => chip(item, i, chipWidth, links));
}

function groupBox(node: DagNode, links: DagLinks): SafeHtml {
  const barWidth = node.width - 2 * GEOMETRY.padding;
  const hint = node.expanded ? "collapse" : "expand";
  return html`
    <g class="group st-${node.state}${node.expanded ? " open" : ""}"
      data-group="${node.name}"><a href="${links.toggle(
        node.name,
        node.expanded,
      )}"><rect width="${node.width}" height="${node.height}" rx="8"/><text x="${GEOMETRY
        .padding}" y="20">${truncate(node.label)}</text><text class="hint" x="${node.width -
        GEOMETRY.padding}" y="20" text-anchor="end">${node.expanded ? "−" : "+"}</text><title>${node
        .name}: ${node.size} expansions (click to ${hint})</title></a>${stateBar(
          node,
          barWidth,
        )}${chips(node, links)}</g>
  `;
}

/**
 * Renders the DAG drawing.
 *
 * @example
 * ```ts
 * const model = buildDagModel(stages, new Set());
 * const svg = renderDagSvg(model, layoutDag(model), links);
 * ```
 */
export function renderDagSvg(model: DagModel, layout: DagLayout, links: DagLinks): SafeHtml {
  const nodes = model.nodes.map((node) => {
    const centre = layout.positions.get(node.id) ?? { x: 0, y: 0 };
    const box = node.kind === "group" ? groupBox(node, links) : stageBox(node, links);
    return html`<g transform="translate(${(centre.x - node.width / 2).toFixed(1)},${
      (centre.y - node.height / 2).toFixed(1)
    })">${box}</g>`;
  });
  const edges = layout.edges.map((edge) =>
    html`
      <path d="${edgePath(edge.points)}" marker-end="url(#arrow)" />
    `
  );
  const width = Math.ceil(layout.width);
  const height = Math.ceil(layout.height);
  return html`
    <svg class="dag" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}"
      width="${width}" height="${height}" role="img" aria-label="Stage graph">
      <defs>
        <marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7"
          orient="auto-start-reverse">
          <path d="M0,0 L10,5 L0,10 z" />
        </marker>
      </defs>
      <g class="edges">${edges}</g>
      <g class="nodes">${nodes}</g>
    </svg>
  `;
}
