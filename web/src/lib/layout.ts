import dagre from "@dagrejs/dagre";

export interface LayoutInput {
  id: string;
  deps: readonly string[];
}
export interface Positioned {
  id: string;
  x: number;
  y: number;
}

export const NODE_WIDTH = 176;
export const NODE_HEIGHT = 82;

/**
 * Left-to-right layered layout of the task DAG. Returns top-left corners (React Flow's convention;
 * dagre returns centres). Edges to unknown tasks are ignored so a partial DAG still lays out.
 */
export function layoutDag(tasks: readonly LayoutInput[], direction: "LR" | "TB" = "LR"): Positioned[] {
  const g = new dagre.graphlib.Graph();
  g.setGraph({ rankdir: direction, nodesep: 22, ranksep: 42, marginx: 8, marginy: 8 });
  g.setDefaultEdgeLabel(() => ({}));
  const ids = new Set(tasks.map((t) => t.id));
  for (const t of tasks) g.setNode(t.id, { width: NODE_WIDTH, height: NODE_HEIGHT });
  for (const t of tasks) for (const d of t.deps) if (ids.has(d)) g.setEdge(d, t.id);
  dagre.layout(g);
  return tasks.map((t) => {
    const n = g.node(t.id);
    return { id: t.id, x: (n?.x ?? 0) - NODE_WIDTH / 2, y: (n?.y ?? 0) - NODE_HEIGHT / 2 };
  });
}
