/**
 * The run DAG as drawn: matrix expansions are grouped under their YAML stage,
 * collapsed into one node unless expanded, so a 1,000-stage sweep stays a
 * handful of nodes. Pure: stages in, nodes and edges out.
 */
import type { StageBrief, StageState } from "@dropline/engine";
import { aggregateState } from "./_format.ts";

/** One member of an expanded group, drawn as a chip inside the group's box. */
export interface DagChip {
  stageId: string;
  label: string;
  state: StageState;
}

/** A node to lay out: one stage, or a group of matrix expansions. */
export interface DagNode {
  /** Unique layout id: `s:<stage id>` or `g:<stage name>`. */
  id: string;
  kind: "stage" | "group";
  /** The stage id (kind "stage") or the YAML stage name (kind "group"). */
  name: string;
  label: string;
  state: StageState;
  /** Members by state (groups). */
  counts: Partial<Record<StageState, number>>;
  size: number;
  expanded: boolean;
  chips: DagChip[];
  /** Chips drawn as unlabelled squares in rows (a group too large for a column of labels). */
  compact: boolean;
  width: number;
  height: number;
}

/** Nodes and deduplicated edges (layout ids) of the drawn DAG. */
export interface DagModel {
  nodes: DagNode[];
  edges: Array<[string, string]>;
}

/** Geometry shared with the SVG renderer. */
export const GEOMETRY = {
  nodeHeight: 40,
  groupHeight: 52,
  chipHeight: 22,
  chipsPerColumn: 20,
  /** Side of a compact chip and the gap after it. */
  square: 16,
  squareGap: 4,
  /** Fewest compact chips per row (more for large groups, keeping the grid square). */
  squaresPerRow: 10,
  charWidth: 7,
  padding: 12,
  minWidth: 90,
  maxLabel: 40,
} as const;

function labelWidth(label: string): number {
  const chars = Math.min(label.length, GEOMETRY.maxLabel);
  return Math.max(GEOMETRY.minWidth, chars * GEOMETRY.charWidth + 2 * GEOMETRY.padding);
}

/** The matrix part of an expansion id: `sweep[seed=0]` -> `seed=0`. */
export function chipLabel(stageId: string, name: string): string {
  return stageId.startsWith(`${name}[`) && stageId.endsWith("]")
    ? stageId.slice(name.length + 1, -1)
    : stageId;
}

function groupNode(name: string, members: StageBrief[], expanded: boolean): DagNode {
  const counts: Partial<Record<StageState, number>> = {};
  for (const member of members) counts[member.state] = (counts[member.state] ?? 0) + 1;
  const label = `${name} ×${members.length}`;
  const node: DagNode = {
    id: `g:${name}`,
    kind: "group",
    name,
    label,
    state: aggregateState(members.map((m) => m.state)),
    counts,
    size: members.length,
    expanded,
    chips: [],
    compact: false,
    width: labelWidth(label) + 40,
    height: GEOMETRY.groupHeight,
  };
  if (!expanded) return node;
  node.chips = members.map((m) => ({
    stageId: m.id,
    label: chipLabel(m.id, name),
    state: m.state,
  }));
  if (members.length > GEOMETRY.chipsPerColumn) return compactGrid(node);
  const chipWidth = Math.max(...node.chips.map((chip) => labelWidth(chip.label)));
  node.width = Math.max(node.width, chipWidth + 6 + 2 * GEOMETRY.padding);
  node.height = GEOMETRY.groupHeight + members.length * (GEOMETRY.chipHeight + 4);
  return node;
}

/** Compact chips per row of a group of `size`: the grid stays about square. */
export function squaresPerRow(size: number): number {
  return Math.min(size, Math.max(GEOMETRY.squaresPerRow, Math.ceil(Math.sqrt(size))));
}

/**
 * A large expanded group draws its members as squares in rows (labels in
 * tooltips): 100 labelled chips took 5 columns, and a few such groups side by
 * side needed 2,370 px of sideways scrolling; 100 squares take 200 x 200 px.
 */
function compactGrid(node: DagNode): DagNode {
  const perRow = squaresPerRow(node.chips.length);
  const rows = Math.ceil(node.chips.length / perRow);
  const cell = GEOMETRY.square + GEOMETRY.squareGap;
  node.compact = true;
  node.width = Math.max(node.width, perRow * cell - GEOMETRY.squareGap + 2 * GEOMETRY.padding);
  node.height = GEOMETRY.groupHeight + rows * cell;
  return node;
}

function stageNode(stage: StageBrief): DagNode {
  return {
    id: `s:${stage.id}`,
    kind: "stage",
    name: stage.id,
    label: stage.id,
    state: stage.state,
    counts: { [stage.state]: 1 },
    size: 1,
    expanded: false,
    chips: [],
    compact: false,
    width: labelWidth(stage.id),
    height: GEOMETRY.nodeHeight,
  };
}

/** Groups stages by YAML stage name, keeping first-seen (topological) order. */
function groupByName(stages: StageBrief[]): Map<string, StageBrief[]> {
  const groups = new Map<string, StageBrief[]>();
  for (const stage of stages) {
    const members = groups.get(stage.name);
    if (members) members.push(stage);
    else groups.set(stage.name, [stage]);
  }
  return groups;
}

/**
 * Builds the drawn DAG. `expanded` holds the stage names whose expansions are
 * shown individually; `"*"` expands every group.
 *
 * @example
 * ```ts
 * const model = buildDagModel(stages, new Set());
 * model.nodes.map((n) => n.id); // ["s:make", "g:sweep", "s:gather"]
 * ```
 */
export function buildDagModel(stages: StageBrief[], expanded: ReadonlySet<string>): DagModel {
  const nodes: DagNode[] = [];
  const nodeOf = new Map<string, string>();
  for (const [name, members] of groupByName(stages)) {
    const single = members.length === 1 && members[0]?.id === name;
    const node = single && members[0]
      ? stageNode(members[0])
      : groupNode(name, members, expanded.has(name) || expanded.has("*"));
    nodes.push(node);
    for (const member of members) nodeOf.set(member.id, node.id);
  }
  const seen = new Set<string>();
  const edges: Array<[string, string]> = [];
  for (const stage of stages) {
    const to = nodeOf.get(stage.id);
    for (const need of stage.needs) {
      const from = nodeOf.get(need);
      const key = `${from}\u0000${to}`;
      if (!from || !to || from === to || seen.has(key)) continue;
      seen.add(key);
      edges.push([from, to]);
    }
  }
  return { nodes, edges };
}
