import { describe, expect, it } from "vitest";
import { layoutDag, NODE_HEIGHT, NODE_WIDTH } from "./layout";

const dag = [
  { id: "ceo", deps: [] },
  { id: "cto", deps: ["ceo"] },
  { id: "fe", deps: ["cto"] },
  { id: "be", deps: ["cto"] },
  { id: "qa", deps: ["fe", "be"] },
  { id: "devops", deps: ["qa", "ghost"] },
];

describe("layoutDag", () => {
  it("puts every task to the right of its dependencies and parallel tasks in one column", () => {
    const pos = new Map(layoutDag(dag).map((p) => [p.id, p]));
    for (const t of dag) for (const d of t.deps) if (pos.has(d)) expect(pos.get(t.id)!.x).toBeGreaterThan(pos.get(d)!.x);
    expect(pos.get("fe")!.x).toBe(pos.get("be")!.x);
    expect(Math.abs(pos.get("fe")!.y - pos.get("be")!.y)).toBeGreaterThanOrEqual(NODE_HEIGHT);
  });

  it("never overlaps nodes and supports a top-to-bottom layout", () => {
    const all = layoutDag(dag, "TB");
    for (const a of all)
      for (const b of all) if (a !== b) expect(Math.abs(a.x - b.x) >= NODE_WIDTH || Math.abs(a.y - b.y) >= NODE_HEIGHT).toBe(true);
    const pos = new Map(all.map((p) => [p.id, p]));
    expect(pos.get("qa")!.y).toBeGreaterThan(pos.get("fe")!.y);
  });
});
