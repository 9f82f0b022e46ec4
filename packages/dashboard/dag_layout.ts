/**
 * Layered (left-to-right) layout of the drawn DAG with dagre. Past
 * `DAGRE_LIMIT` nodes dagre takes most of a second, so a run whose stages do
 * not group well gets a simple linear-time layering instead.
 */
import dagre from "@dagrejs/dagre";
import type { DagModel, DagNode } from "./dag_model.ts";

/** A point in SVG user units. */
export interface Point {
  x: number;
  y: number;
}

/** Node centres, edge polylines and the drawing's size. */
export interface DagLayout {
  width: number;
  height: number;
  /** Centre of each node by layout id. */
  positions: Map<string, Point>;
  edges: Array<{ from: string; to: string; points: Point[] }>;
  engine: "dagre" | "layered";
}

/** Above this many nodes the linear-time layering is used. */
export const DAGRE_LIMIT = 250;

const MARGIN = 16;
const RANK_GAP = 56;
const NODE_GAP = 14;

/**
 * Lays out a DAG model.
 *
 * @example
 * ```ts
 * const layout = layoutDag(buildDagModel(stages, new Set()));
 * layout.positions.get("s:make"); // { x: 61, y: 36 }
 * ```
 */
export function layoutDag(model: DagModel): DagLayout {
  return model.nodes.length > DAGRE_LIMIT ? layeredLayout(model) : dagreLayout(model);
}

function dagreLayout(model: DagModel): DagLayout {
  const graph = new dagre.graphlib.Graph();
  graph.setGraph({
    rankdir: "LR",
    nodesep: NODE_GAP,
    ranksep: RANK_GAP,
    marginx: MARGIN,
    marginy: MARGIN,
  });
  graph.setDefaultEdgeLabel(() => ({}));
  for (const node of model.nodes) {
    graph.setNode(node.id, { width: node.width, height: node.height });
  }
  for (const [from, to] of model.edges) graph.setEdge(from, to);
  dagre.layout(graph);
  const positions = new Map<string, Point>();
  for (const node of model.nodes) {
    const placed = graph.node(node.id);
    positions.set(node.id, { x: placed.x, y: placed.y });
  }
  const edges = model.edges.map(([from, to]) => ({
    from,
    to,
    points: (graph.edge(from, to)?.points ?? []).map((p: Point) => ({ x: p.x, y: p.y })),
  }));
  const size = graph.graph();
  return { width: size.width ?? 0, height: size.height ?? 0, positions, edges, engine: "dagre" };
}

/** Rank of each node: the longest path from a source (Kahn's order). */
function ranks(model: DagModel): Map<string, number> {
  const rank = new Map(model.nodes.map((node) => [node.id, 0]));
  const indegree = new Map(model.nodes.map((node) => [node.id, 0]));
  const out = new Map<string, string[]>();
  for (const [from, to] of model.edges) {
    indegree.set(to, (indegree.get(to) ?? 0) + 1);
    out.set(from, [...(out.get(from) ?? []), to]);
  }
  const queue = model.nodes.filter((node) => indegree.get(node.id) === 0).map((node) => node.id);
  for (let i = 0; i < queue.length; i++) {
    const id = queue[i] as string;
    for (const next of out.get(id) ?? []) {
      rank.set(next, Math.max(rank.get(next) ?? 0, (rank.get(id) ?? 0) + 1));
      indegree.set(next, (indegree.get(next) ?? 0) - 1);
      if (indegree.get(next) === 0) queue.push(next);
    }
  }
  return rank;
}

function layeredLayout(model: DagModel): DagLayout {
  const rank = ranks(model);
  const columns: DagNode[][] = [];
  for (const node of model.nodes) (columns[rank.get(node.id) ?? 0] ??= []).push(node);
  const positions = new Map<string, Point>();
  let x = MARGIN;
  let height = 0;
  for (const column of columns) {
    if (!column) continue;
    const width = Math.max(...column.map((node) => node.width));
    let y = MARGIN;
    for (const node of column) {
      positions.set(node.id, { x: x + width / 2, y: y + node.height / 2 });
      y += node.height + NODE_GAP;
    }
    height = Math.max(height, y);
    x += width + RANK_GAP;
  }
  const byId = new Map(model.nodes.map((node) => [node.id, node]));
  const edges = model.edges.map(([from, to]) => {
    const a = positions.get(from) ?? { x: 0, y: 0 };
    const b = positions.get(to) ?? { x: 0, y: 0 };
    const aw = (byId.get(from)?.width ?? 0) / 2;
    const bw = (byId.get(to)?.width ?? 0) / 2;
    return { from, to, points: [{ x: a.x + aw, y: a.y }, { x: b.x - bw, y: b.y }] };
  });
  return {
    width: x - RANK_GAP + MARGIN,
    height: height + MARGIN,
    positions,
    edges,
    engine: "layered",
  };
}
