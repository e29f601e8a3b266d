import { describe, expect, it } from "vitest";
import type { ProjectDetail, TaskView } from "../../../contracts/api";
import type { ProjectEvent } from "../../../contracts/events";
import { applyEvents } from "./projectView";

const task = (id: string, deps: string[] = []): TaskView => ({
  id, role: "ceo", title: id, deps, state: "pending", attempt: 0, maxAttempts: 3, error: null, output: null,
  artifacts: [], usage: [], startedAt: null, finishedAt: null, traceId: null,
});
const detail = (lastSeq: number, tasks: TaskView[] = [task("a")]): ProjectDetail => ({
  id: "p", idea: "idea", state: "running", budgetUsd: 1, spentUsd: 0, createdAt: 1, updatedAt: 1, tasks, lastSeq,
});
let seq = 0;
const ev = (type: ProjectEvent["type"], taskId: string | null, data: ProjectEvent["data"]): ProjectEvent => ({ seq: ++seq, ts: 1000 + seq, type, taskId, data });

describe("applyEvents", () => {
  it("moves tasks through states, records usage and project state", () => {
    seq = 0;
    const events = [
      ev("task.created", "b", { task: { id: "b", role: "cto", title: "Architecture", deps: ["a"] } }),
      ev("task.state", "a", { state: "running", attempt: 1 }),
      ev("usage.recorded", "a", { provider: "offline", model: "offline-1", inputTokens: 10, outputTokens: 20, costUsd: 0.25 }),
      ev("task.state", "a", { state: "failed", attempt: 1, error: "boom" }),
      ev("task.state", "a", { state: "succeeded", attempt: 2 }),
      ev("project.state", null, { state: "paused" }),
    ];
    const d = applyEvents(detail(0), events);
    expect(d.lastSeq).toBe(6);
    expect(d.state).toBe("paused");
    expect(d.spentUsd).toBeCloseTo(0.25);
    const a = d.tasks.find((t) => t.id === "a")!;
    expect([a.state, a.attempt, a.error, a.usage.length, a.finishedAt]).toEqual(["succeeded", 2, null, 1, 1005]);
    const b = d.tasks.find((t) => t.id === "b")!;
    expect([b.role, b.deps, b.state]).toEqual(["cto", ["a"], "pending"]);
  });

  it("skips events the snapshot already includes, so a refetched snapshot plus the log is idempotent", () => {
    seq = 0;
    const events = [
      ev("usage.recorded", "a", { provider: "offline", model: "m", inputTokens: 1, outputTokens: 1, costUsd: 1 }),
      ev("usage.recorded", "a", { provider: "offline", model: "m", inputTokens: 1, outputTokens: 1, costUsd: 2 }),
    ];
    const once = applyEvents(detail(0), events);
    expect(applyEvents(once, events).spentUsd).toBe(3);
    expect(applyEvents(detail(1), events).spentUsd).toBe(2);
  });

  it("ignores events whose payload it cannot read", () => {
    seq = 0;
    const d = applyEvents(detail(0), [ev("task.state", "a", { state: "exploded" }), ev("task.state", "zzz", { state: "running" })]);
    expect(d.tasks[0]!.state).toBe("pending");
    expect(d.lastSeq).toBe(2);
  });
});
