import { describe, expect, it } from "vitest";
import { blockedByFailure, buildInitialDag, newlyReady, planFixRound, qaRound, retryDelayMs } from "./dag";

describe("initial DAG", () => {
  const dag = buildInitialDag();
  const byId = new Map(dag.map((t) => [t.id, t]));

  it("orders CEO → CTO → FE ∥ BE → QA → DevOps, with Finance closing", () => {
    expect(dag.map((t) => t.id)).toEqual(["ceo", "cto", "engineer_fe", "engineer_be", "qa", "devops", "finance"]);
    expect(byId.get("cto")!.deps).toEqual(["ceo"]);
    expect(byId.get("engineer_fe")!.deps).toEqual(["cto"]);
    expect(byId.get("engineer_be")!.deps).toEqual(["cto"]);
    expect(byId.get("qa")!.deps.sort()).toEqual(["engineer_be", "engineer_fe"]);
    expect(byId.get("devops")!.deps).toEqual(["qa"]);
    expect(byId.get("finance")!.deps).toEqual(["devops"]);
  });

  it("is acyclic and every dependency exists", () => {
    const seen = new Set<string>();
    for (const t of dag) {
      for (const d of t.deps) expect(seen.has(d), `${t.id} depends on ${d} before it is defined`).toBe(true);
      seen.add(t.id);
    }
  });
});

describe("readiness", () => {
  const s = (id: string, deps: string[], state: "pending" | "succeeded" | "failed" | "running") => ({ id, deps, state });

  it("only pending tasks whose deps all succeeded become ready", () => {
    const tasks = [s("a", [], "succeeded"), s("b", ["a"], "pending"), s("c", ["a", "x"], "pending"), s("x", [], "running")];
    expect(newlyReady(tasks)).toEqual(["b"]);
  });

  it("FE and BE become ready together once CTO succeeded (parallel branch)", () => {
    const tasks = buildInitialDag().map((t) => ({
      ...t,
      state: ["ceo", "cto"].includes(t.id) ? ("succeeded" as const) : ("pending" as const),
    }));
    expect(newlyReady(tasks).sort()).toEqual(["engineer_be", "engineer_fe"]);
  });

  it("a failure blocks everything downstream, transitively, and nothing else", () => {
    const tasks = [s("a", [], "failed"), s("b", ["a"], "pending"), s("c", ["b"], "pending"), s("d", [], "pending")];
    expect(blockedByFailure(tasks).sort()).toEqual(["b", "c"]);
  });
});

describe("QA fix rounds", () => {
  it("adds FE/BE fixes and a new QA, and rewires QA's dependants", () => {
    const plan = planFixRound(buildInitialDag(), "qa", 0);
    expect(plan.add.map((t) => t.id)).toEqual(["engineer_fe_fix1", "engineer_be_fix1", "qa_2"]);
    expect(plan.add[2]!.deps).toEqual(["engineer_fe_fix1", "engineer_be_fix1"]);
    expect(plan.rewire).toEqual([{ id: "devops", deps: ["qa_2"] }]);
    expect(qaRound("qa")).toBe(0);
    expect(qaRound("qa_2")).toBe(1);
    expect(qaRound("qa_3")).toBe(2);
  });

  it("sends a failure only to the Engineers it implicates; both when QA cannot tell", () => {
    const be = planFixRound(buildInitialDag(), "qa", 0, ["engineer_be"]);
    expect(be.add.map((t) => t.id)).toEqual(["engineer_be_fix1", "qa_2"]);
    expect(be.add[1]!.deps).toEqual(["engineer_be_fix1"]);
    expect(planFixRound(buildInitialDag(), "qa", 0, []).add.map((t) => t.id)).toEqual(["engineer_fe_fix1", "engineer_be_fix1", "qa_2"]);
  });
});

describe("retry backoff", () => {
  it("doubles and caps", () => {
    expect([1, 2, 3].map((a) => retryDelayMs(a, 100, 1_000))).toEqual([100, 200, 400]);
    expect(retryDelayMs(20, 100, 1_000)).toBe(1_000);
  });
});
