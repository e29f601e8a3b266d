import { describe, expect, it } from "vitest";
import { PROVIDERS, TaskMessage } from "@proximus/contracts";
import { memoryArtifactStore } from "../artifacts";
import { taskMessage } from "../offline/pipeline";
import { OfflineProvider, OFFLINE_MODEL } from "../offline/provider";
import { runTask } from "../runtime";
import type { FinanceResult } from "./finance";
import { costReport, roleOfTask, type LedgerEntry } from "./ledger";

/** A deterministic pseudo-random ledger (LCG), so the sums are not hand-picked. */
function ledger(n: number, seed = 7): LedgerEntry[] {
  let s = seed;
  const rnd = () => (s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const tasks = ["ceo", "cto", "engineer_fe", "engineer_be", "qa", "engineer_be_fix1", "qa_2", "devops", "mystery"];
  return Array.from({ length: n }, () => {
    const provider = PROVIDERS[Math.floor(rnd() * PROVIDERS.length)]!;
    return {
      taskId: tasks[Math.floor(rnd() * tasks.length)]!,
      attempt: 1 + Math.floor(rnd() * 3),
      provider,
      model: `${provider}-m${Math.floor(rnd() * 3)}`,
      inputTokens: Math.floor(rnd() * 50_000),
      outputTokens: Math.floor(rnd() * 8_000),
      costUsd: provider === "offline" ? 0 : Math.round(rnd() * 0.05 * 1e9) / 1e9,
    };
  });
}

const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);

describe("roleOfTask", () => {
  it("maps the orchestrator's task ids to roles", () => {
    expect(["ceo", "engineer_fe", "engineer_be_fix2", "qa_3", "finance", "qa-2", "x"].map(roleOfTask)).toEqual([
      "ceo",
      "engineer_fe",
      "engineer_be",
      "qa",
      "finance",
      "unknown",
      "unknown",
    ]);
  });
});

describe("costReport", () => {
  it("totals equal the ledger sums, and every grouping adds up to the totals", () => {
    const l = ledger(500);
    const r = costReport(l, 12.5);
    expect(r.entries).toBe(500);
    expect(r.totals.calls).toBe(500);
    expect(r.totals.inputTokens).toBe(sum(l.map((e) => e.inputTokens)));
    expect(r.totals.outputTokens).toBe(sum(l.map((e) => e.outputTokens)));
    expect(r.totals.costUsd).toBeCloseTo(sum(l.map((e) => e.costUsd)), 9);
    for (const groups of [r.byRole, r.byModel, r.byTask]) {
      expect(sum(groups.map((g) => g.calls))).toBe(500);
      expect(sum(groups.map((g) => g.inputTokens))).toBe(r.totals.inputTokens);
      expect(sum(groups.map((g) => g.outputTokens))).toBe(r.totals.outputTokens);
      expect(Math.round(sum(groups.map((g) => g.costUsd)) * 1e9)).toBe(Math.round(r.totals.costUsd * 1e9));
    }
    const qa = l.filter((e) => e.taskId === "qa" || e.taskId === "qa_2");
    expect(r.byRole.find((g) => g.role === "qa")).toMatchObject({ calls: qa.length, inputTokens: sum(qa.map((e) => e.inputTokens)) });
    expect(r.byRole.find((g) => g.role === "unknown")?.calls).toBe(l.filter((e) => e.taskId === "mystery").length);
    expect(r.budgetRemainingUsd).toBe(12.5);
  });

  it("is all zeros for an empty ledger", () => {
    expect(costReport([], null)).toMatchObject({
      entries: 0,
      totals: { calls: 0, inputTokens: 0, outputTokens: 0, costUsd: 0 },
      byRole: [],
      byModel: [],
    });
  });
});

describe("Finance via runTask", () => {
  it("reports the ledger's numbers, not the model's", async () => {
    const l = ledger(40, 99);
    const msg = TaskMessage.parse(taskMessage("a booking app for dog groomers", "finance", new Map(), l, { budgetRemainingUsd: 3 }));
    // A "model" that invents numbers: they must not reach the report.
    const liar = {
      name: "bedrock" as const,
      async complete() {
        return {
          provider: "bedrock" as const,
          model: "amazon.nova-micro-v1:0",
          text: JSON.stringify({
            summary: "Total cost was $1,000,000",
            observations: ["totals: 999"],
            recommendations: [],
            report: { totals: { costUsd: 1e6 } },
          }),
          inputTokens: 10,
          outputTokens: 10,
        };
      },
    };
    const store = memoryArtifactStore("p/finance/1/");
    const r = await runTask(msg, {
      resolveProvider: () => ({ provider: liar, model: "amazon.nova-micro-v1:0" }),
      artifacts: store,
      emit: () => undefined,
      sandbox: null,
      now: () => 0,
    });
    expect(r.status).toBe("succeeded");
    const out = r.output as FinanceResult;
    expect(out.report.totals.costUsd).toBeCloseTo(sum(l.map((e) => e.costUsd)), 9);
    expect(out.report.totals.inputTokens).toBe(sum(l.map((e) => e.inputTokens)));
    expect(out.report).toEqual(costReport(l, 3));
    const json = JSON.parse(
      new TextDecoder().decode((await store.get(r.artifacts.find((a) => a.path === "reports/cost-report.json")!.key))!),
    );
    expect(json).toEqual(costReport(l, 3));
    // Finance's own call is metered in its result, not folded into the report.
    expect(r.usage).toEqual([
      { provider: "bedrock", model: "amazon.nova-micro-v1:0", inputTokens: 10, outputTokens: 10, costUsd: (10 * 0.035 + 10 * 0.14) / 1e6 },
    ]);
  });

  it("works offline too, with the offline label", async () => {
    const l = ledger(10, 3);
    const r = await runTask(taskMessage("x app", "finance", new Map(), l), {
      resolveProvider: () => ({ provider: new OfflineProvider(), model: OFFLINE_MODEL }),
      artifacts: memoryArtifactStore("p/f/1/"),
      emit: () => undefined,
      sandbox: null,
      now: () => 0,
    });
    const out = r.output as FinanceResult;
    expect(out.summary).toContain("offline provider — no AI");
    expect(out.report.totals.outputTokens).toBe(sum(l.map((e) => e.outputTokens)));
  });
});
