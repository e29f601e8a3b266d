import { describe, expect, it } from "vitest";
import { elapsed } from "./format";
import { taskPhase, taskTiming } from "./taskPhase";

const LIMIT = "queued: 1 running, at this project's limit of 1 tasks at once (MAX_TASKS_PER_PROJECT)";
const SANDBOX = "sandbox host unreachable (connect ECONNREFUSED) — trying again in 4 s";

describe("taskPhase", () => {
  it("a handed-off task whose agent has not begun and that names a limit is queued, with the limit as its reason", () => {
    expect(taskPhase({ state: "running", startedAt: null, waitingFor: LIMIT })).toEqual({
      kind: "queued",
      label: "queued",
      reason: "1 running, at this project's limit of 1 tasks at once (MAX_TASKS_PER_PROJECT)",
    });
  });

  it("keeps a reason that does not carry the limiter's prefix as it is", () => {
    expect(taskPhase({ state: "running", startedAt: null, waitingFor: "provider openai: retry-after 3 s" }).reason).toBe(
      "provider openai: retry-after 3 s",
    );
  });

  it("a handed-off task with no reason yet is starting, not queued and not running", () => {
    expect(taskPhase({ state: "running", startedAt: null, waitingFor: null })).toEqual({
      kind: "starting",
      label: "starting",
      reason: null,
    });
    expect(taskPhase({ state: "running", startedAt: null, waitingFor: "  " }).kind).toBe("starting");
  });

  it("is running once the agent began, whatever waitingFor still says", () => {
    expect(taskPhase({ state: "running", startedAt: 5, waitingFor: null })).toEqual({ kind: "running", label: "running", reason: null });
    expect(taskPhase({ state: "running", startedAt: 5, waitingFor: LIMIT }).kind).toBe("running");
  });

  it("a ready task held back by the sandbox host is waiting, with the whole reason", () => {
    expect(taskPhase({ state: "ready", startedAt: null, waitingFor: SANDBOX })).toEqual({
      kind: "waiting",
      label: "waiting",
      reason: SANDBOX,
    });
  });

  it("other states pass through", () => {
    for (const state of ["pending", "ready", "succeeded", "failed", "cancelled"] as const) {
      expect(taskPhase({ state, startedAt: 1, waitingFor: null })).toEqual({ kind: state, label: state, reason: null });
    }
    // Only ready and running tasks wait: a stale reason on a finished task is not shown.
    expect(taskPhase({ state: "succeeded", startedAt: 1, waitingFor: SANDBOX }).kind).toBe("succeeded");
  });
});

describe("taskTiming", () => {
  it("splits a finished attempt into queue wait and run time", () => {
    expect(taskTiming({ dispatchedAt: 1_000, startedAt: 3_500, finishedAt: 10_500 }, 99_999)).toEqual({ queueMs: 2_500, runMs: 7_000 });
  });

  it("counts a queued attempt's wait up to now and gives it no run time", () => {
    expect(taskTiming({ dispatchedAt: 1_000, startedAt: null, finishedAt: null }, 4_000)).toEqual({ queueMs: 3_000, runMs: null });
  });

  it("counts a running attempt's run time up to now", () => {
    expect(taskTiming({ dispatchedAt: 1_000, startedAt: 1_020, finishedAt: null }, 2_020)).toEqual({ queueMs: 20, runMs: 1_000 });
  });

  it("an attempt cancelled while queued waited until its end and never ran", () => {
    expect(taskTiming({ dispatchedAt: 1_000, startedAt: null, finishedAt: 6_000 }, 50_000)).toEqual({ queueMs: 5_000, runMs: null });
  });

  it("has nothing before the hand-off", () => {
    expect(taskTiming({ dispatchedAt: null, startedAt: null, finishedAt: null }, 50_000)).toEqual({ queueMs: null, runMs: null });
  });

  it("never goes negative when clocks disagree", () => {
    expect(taskTiming({ dispatchedAt: 2_000, startedAt: 1_990, finishedAt: 1_980 }, 0)).toEqual({ queueMs: 0, runMs: 0 });
  });
});

describe("elapsed", () => {
  it("prints seconds, then minutes and seconds", () => {
    expect(elapsed(2_500)).toBe("2.5 s");
    expect(elapsed(-5)).toBe("0.0 s");
    expect(elapsed(125_000)).toBe("2 min 5 s");
  });
});
