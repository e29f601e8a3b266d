import { describe, expect, it } from "vitest";
import type { TaskView } from "@proximus/contracts/api";
import { usageBreakdown } from "./usage";

const t = (id: string, role: TaskView["role"], usage: TaskView["usage"]): TaskView => ({
  id,
  role,
  title: id,
  deps: [],
  state: "succeeded",
  attempt: 1,
  maxAttempts: 1,
  error: null,
  output: null,
  artifacts: [],
  usage,
  dispatchedAt: null,
  startedAt: null,
  finishedAt: null,
  approval: "none",
  waitingFor: null,
  stopReason: null,
  traceId: null,
});
const u = (model: string, costUsd: number) => ({ provider: "openai" as const, model, inputTokens: 10, outputTokens: 5, costUsd });

describe("usageBreakdown", () => {
  it("sums by role and by model, largest first", () => {
    const r = usageBreakdown([t("1", "ceo", [u("a", 0.1)]), t("2", "qa", [u("a", 0.5), u("b", 0.05)]), t("3", "ceo", [u("b", 0.2)])]);
    expect(r.byRole.map((b) => [b.label, +b.costUsd.toFixed(2), b.calls])).toEqual([
      ["QA", 0.55, 2],
      ["CEO", 0.3, 2],
    ]);
    expect(r.byModel.map((b) => [b.key, +b.costUsd.toFixed(2), b.inputTokens])).toEqual([
      ["openai/a", 0.6, 20],
      ["openai/b", 0.25, 20],
    ]);
    expect(r.totalUsd).toBeCloseTo(0.85);
  });
});
