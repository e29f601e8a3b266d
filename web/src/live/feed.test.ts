import { describe, expect, it } from "vitest";
import { ProjectEvent } from "@proximus/contracts/events";
import { appendFeed } from "./feed";

let seq = 0;
const ev = (type: ProjectEvent["type"], taskId: string | null, data: Record<string, unknown>): ProjectEvent =>
  ProjectEvent.parse({ seq: ++seq, ts: seq, type, taskId, data });

describe("appendFeed", () => {
  it("joins streamed tokens per task attempt, even when parallel tasks interleave", () => {
    seq = 0;
    const feed = appendFeed(
      [],
      [
        ev("task.state", "fe", { state: "running", attempt: 1 }),
        ev("task.token", "fe", { text: "Hel", attempt: 1 }),
        ev("task.token", "be", { text: "Wor", attempt: 1 }),
        ev("task.token", "fe", { text: "lo", attempt: 1 }),
        ev("task.log", "be", { text: "calling model", attempt: 1 }),
        ev("task.token", "be", { text: "ld", attempt: 1 }),
        ev("task.token", "fe", { text: "again", attempt: 2 }),
      ],
    );
    expect(feed.map((f) => [f.kind, "text" in f ? f.text : f.seq])).toEqual([
      ["task", 1],
      ["tokens", "Hello"],
      ["tokens", "World"],
      ["log", "calling model"],
      ["tokens", "again"],
    ]);
  });

  it("is incremental: appending in batches equals appending at once", () => {
    seq = 0;
    const events = [
      ev("task.token", "a", { text: "x", attempt: 1 }),
      ev("artifact.stored", "a", { path: "src/index.ts", bytes: 3 }),
      ev("task.token", "a", { text: "y", attempt: 1 }),
      ev("project.state", null, { state: "succeeded" }),
    ];
    const whole = appendFeed([], events);
    const parts = appendFeed(appendFeed([], events.slice(0, 1)), events.slice(1));
    expect(parts).toEqual(whole);
    expect(whole.map((f) => f.kind)).toEqual(["tokens", "artifact", "project"]);
  });

  it("says why a task is held back and why the project paused", () => {
    seq = 0;
    const limit = "queued: 1 running, at this project's limit of 1 tasks at once (MAX_TASKS_PER_PROJECT)";
    const sandbox = "sandbox host unreachable — trying again in 4 s";
    const feed = appendFeed(
      [],
      [
        ev("task.state", "be", { state: "running", attempt: 1, dispatchedAt: 1, startedAt: null, waitingFor: limit }),
        ev("task.state", "be", { state: "running", attempt: 1, dispatchedAt: 1, startedAt: 3, waitingFor: null }),
        ev("task.state", "qa", { state: "ready", attempt: 1, waitingFor: sandbox }),
        // legacy: a start without startedAt is a start, not a queue.
        ev("task.state", "fe", { state: "running", attempt: 1, waitingFor: "stale" }),
        ev("project.state", null, { state: "paused", reason: "budget: 0.01 committed + 0.02 estimated for qa exceeds 0.02" }),
        ev("project.state", null, { state: "running", reason: "ignored when not paused" }),
      ],
    );
    expect(
      feed.map((f) => (f.kind === "task" ? [f.taskId, f.phase, f.reason] : f.kind === "project" ? [f.state, f.reason] : f.kind)),
    ).toEqual([
      ["be", "queued", "1 running, at this project's limit of 1 tasks at once (MAX_TASKS_PER_PROJECT)"],
      ["be", "running", null],
      ["qa", "waiting", sandbox],
      ["fe", "running", null],
      ["paused", "budget: 0.01 committed + 0.02 estimated for qa exceeds 0.02"],
      ["running", null],
    ]);
  });
});
