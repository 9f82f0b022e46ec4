/**
 * Graph algorithms over stage dependencies. Pure.
 */

/** A node and the ids it depends on. */
export interface GraphNode {
  id: string;
  upstream: readonly string[];
}

/**
 * Orders nodes so every node comes after its upstream (stable: ties keep input
 * order), or returns one cycle.
 *
 * @example
 * ```ts
 * topologicalOrder([{ id: "b", upstream: ["a"] }, { id: "a", upstream: [] }]);
 * // { order: ["a", "b"] }
 * ```
 */
export function topologicalOrder(
  nodes: readonly GraphNode[],
): { order: string[] } | { cycle: string[] } {
  const indegree = new Map(nodes.map((n) => [n.id, 0]));
  const downstream = new Map<string, string[]>(nodes.map((n) => [n.id, []]));
  for (const node of nodes) {
    for (const up of node.upstream) {
      indegree.set(node.id, indegree.get(node.id)! + 1);
      downstream.get(up)?.push(node.id);
    }
  }
  const ready = nodes.filter((n) => indegree.get(n.id) === 0).map((n) => n.id);
  const order: string[] = [];
  for (let i = 0; i < ready.length; i++) {
    const id = ready[i]!;
    order.push(id);
    for (const next of downstream.get(id)!) {
      const left = indegree.get(next)! - 1;
      indegree.set(next, left);
      if (left === 0) ready.push(next);
    }
  }
  if (order.length === nodes.length) return { order };
  return { cycle: findCycle(nodes.filter((n) => indegree.get(n.id)! > 0)) };
}

/** A cycle among nodes that all lie on or behind one, as `[a, b, ..., a]`. */
function findCycle(nodes: readonly GraphNode[]): string[] {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const path: string[] = [];
  const onPath = new Set<string>();
  let current = nodes[0]!.id;
  // Every remaining node has an upstream among the remaining ones, so walking
  // upstream must revisit a node.
  while (!onPath.has(current)) {
    path.push(current);
    onPath.add(current);
    current = byId.get(current)!.upstream.find((up) => byId.has(up))!;
  }
  const cycle = path.slice(path.indexOf(current)).reverse();
  return [...cycle, cycle[0]!];
}

/**
 * Every node reachable downstream of `roots` (excluding the roots).
 *
 * @example
 * ```ts
 * descendants([{ id: "a", upstream: [] }, { id: "b", upstream: ["a"] }], ["a"]); // Set {"b"}
 * ```
 */
export function descendants(nodes: readonly GraphNode[], roots: Iterable<string>): Set<string> {
  const downstream = new Map<string, string[]>(nodes.map((n) => [n.id, []]));
  for (const node of nodes) for (const up of node.upstream) downstream.get(up)?.push(node.id);
  return reach(downstream, roots);
}

/** Every node reachable upstream of `roots` (excluding the roots). */
export function ancestors(nodes: readonly GraphNode[], roots: Iterable<string>): Set<string> {
  return reach(new Map(nodes.map((n) => [n.id, n.upstream])), roots);
}

function reach(
  edges: ReadonlyMap<string, readonly string[]>,
  roots: Iterable<string>,
): Set<string> {
  const seen = new Set<string>();
  const stack = [...roots];
  while (stack.length > 0) {
    for (const id of edges.get(stack.pop()!) ?? []) {
      if (!seen.has(id)) {
        seen.add(id);
        stack.push(id);
      }
    }
  }
  return seen;
}
