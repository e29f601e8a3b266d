import { describe, expect, it } from "vitest";
import type { ProjectDetail, TaskView } from "@proximus/contracts/api";
import { ProjectEvent } from "@proximus/contracts/events";
import { awaitingApproval, canIntervene } from "./approvals";
import { foldEvents as applyEvents, foldUnknownEvents } from "@proximus/contracts/project-view";

const task = (id: string, deps: string[] = [], more: Partial<TaskView> = {}): TaskView => ({
  id,
  role: "ceo",
  title: id,
  deps,
  state: "pending",
  attempt: 0,
  maxAttempts: 3,
  error: null,
  output: null,
  artifacts: [],
  usage: [],
  dispatchedAt: null,
  startedAt: null,
  finishedAt: null,
  approval: "none",
  waitingFor: null,
  stopReason: null,
  traceId: null,
  ...more,
});
const detail = (lastSeq: number, tasks: TaskView[] = [task("a")]): ProjectDetail => ({
  id: "p",
  idea: "idea",
  state: "running",
  budgetUsd: 1,
  spentUsd: 0,
  createdAt: 1,
  updatedAt: 1,
  pausedReason: null,
  tasks,
  lastSeq,
});
let seq = 0;
const ev = (type: ProjectEvent["type"], taskId: string | null, data: Record<string, unknown>): ProjectEvent =>
  ProjectEvent.parse({ seq: ++seq, ts: 1000 + seq, type, taskId, data });
const raw = (type: string, taskId: string | null, data: Record<string, unknown>) => ({ seq: ++seq, ts: 1000 + seq, type, taskId, data });

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
    expect([b.role, b.deps, b.state, b.approval]).toEqual(["cto", ["a"], "pending", "none"]);
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
    const d = foldUnknownEvents(detail(0), [raw("task.state", "a", { state: "exploded" }), raw("task.state", "zzz", { state: "running" })]);
    expect(d.tasks[0]!.state).toBe("pending");
    // The unreadable event is skipped; the one for an unknown task is read and changes nothing.
    expect(d.lastSeq).toBe(2);
  });

  it("follows a gate through task.approval events: required, pending once finished, approved", () => {
    seq = 0;
    const start = detail(0, [task("a", [], { role: "cto", approval: "required" }), task("b", ["a"])]);
    const waiting = applyEvents(start, [
      ev("task.state", "a", { state: "running", attempt: 1 }),
      ev("task.state", "a", { state: "succeeded", attempt: 1 }),
      ev("task.approval", "a", { approval: "pending" }),
    ]);
    expect(waiting.tasks.map((t) => [t.id, t.state, t.approval])).toEqual([
      ["a", "succeeded", "pending"],
      ["b", "pending", "none"],
    ]);
    expect(awaitingApproval(waiting.tasks).map((t) => t.id)).toEqual(["a"]);

    const approved = applyEvents(waiting, [ev("task.approval", "a", { approval: "approved" })]);
    expect(approved.tasks[0]!.approval).toBe("approved");
    expect(approved.lastSeq).toBe(4);
    expect(awaitingApproval(approved.tasks)).toEqual([]);
  });

  it("ignores task.approval events with an unknown value or for an unknown task", () => {
    seq = 0;
    const start = detail(0, [task("a", [], { approval: "required" })]);
    const d = foldUnknownEvents(start, [
      raw("task.approval", "a", { approval: "maybe" }),
      raw("task.approval", "zzz", { approval: "pending" }),
    ]);
    expect(d.tasks[0]!.approval).toBe("required");
    expect(d.lastSeq).toBe(2);
  });

  it("puts a gate back to required from the server's reset and approval events, and leaves ungated tasks alone", () => {
    seq = 0;
    const start = detail(0, [
      task("a", [], { state: "succeeded", attempt: 1, approval: "approved" }),
      task("b", ["a"], { state: "succeeded", attempt: 1, approval: "pending" }),
      task("c", ["b"], { state: "succeeded", attempt: 1 }),
    ]);
    const d = applyEvents(start, [
      ev("task.reset", "a", { maxAttempts: 2, approval: "required" }),
      ev("task.state", "a", { state: "ready", attempt: 1 }),
      ev("task.approval", "b", { approval: "required" }),
      ev("task.state", "b", { state: "pending" }),
      ev("task.state", "c", { state: "pending" }),
    ]);
    expect(d.tasks.map((t) => [t.state, t.approval])).toEqual([
      ["ready", "required"],
      ["pending", "required"],
      ["pending", "none"],
    ]);
  });
});

describe("canIntervene", () => {
  it("allows only tasks with an outcome", () => {
    const allowed = (["pending", "ready", "running", "succeeded", "failed", "cancelled"] as const).filter((state) =>
      canIntervene(task("a", [], { state })),
    );
    expect(allowed).toEqual(["succeeded", "failed"]);
  });
});
