import type { ProjectDetail, TaskView } from "../../../contracts/api";
import type { ProjectEvent } from "../../../contracts/events";
import { ApprovalData, ProjectStateData, TaskCreatedData, TaskStateData, UsageData } from "./eventData";

/**
 * Rolls a ProjectDetail snapshot forward with the events that came after it. The snapshot carries
 * `lastSeq`, so refetching it and re-applying the newer events always lands on the same state.
 */
export function applyEvents(detail: ProjectDetail, events: readonly ProjectEvent[]): ProjectDetail {
  let next = detail;
  for (const e of events) {
    if (e.seq <= next.lastSeq) continue;
    next = { ...applyOne(next, e), lastSeq: e.seq, updatedAt: Math.max(next.updatedAt, e.ts) };
  }
  return next;
}

function updateTask(d: ProjectDetail, id: string | null, fn: (t: TaskView) => TaskView): ProjectDetail {
  if (!id || !d.tasks.some((t) => t.id === id)) return d;
  return { ...d, tasks: d.tasks.map((t) => (t.id === id ? fn(t) : t)) };
}

function applyOne(d: ProjectDetail, e: ProjectEvent): ProjectDetail {
  switch (e.type) {
    case "project.state": {
      const p = ProjectStateData.safeParse(e.data);
      return p.success ? { ...d, state: p.data.state } : d;
    }
    case "task.created": {
      const p = TaskCreatedData.safeParse(e.data);
      if (!p.success || d.tasks.some((t) => t.id === p.data.task.id)) return d;
      const t = p.data.task;
      const task: TaskView = {
        title: t.role,
        deps: [],
        state: "pending",
        attempt: 0,
        maxAttempts: 1,
        error: null,
        output: null,
        artifacts: [],
        usage: [],
        startedAt: null,
        finishedAt: null,
        traceId: null,
        // Older producers did not say whether a task is gated; the event's own value wins below.
        approval: "none",
        ...t,
      };
      return { ...d, tasks: [...d.tasks, task] };
    }
    case "task.state": {
      const p = TaskStateData.safeParse(e.data);
      if (!p.success) return d;
      const { state, attempt, error } = p.data;
      return updateTask(d, e.taskId, (t) => ({
        ...t,
        state,
        attempt: attempt ?? t.attempt,
        error: error ?? (state === "failed" ? t.error : null),
        startedAt: state === "running" ? e.ts : t.startedAt,
        finishedAt: state === "succeeded" || state === "failed" || state === "cancelled" ? e.ts : t.finishedAt,
        // A gated task that runs again (an intervention upstream or on itself) needs a new approval;
        // the server resets it without an event of its own.
        approval: state !== "succeeded" && (t.approval === "pending" || t.approval === "approved") ? "required" : t.approval,
      }));
    }
    case "task.approval": {
      const p = ApprovalData.safeParse(e.data);
      return p.success ? updateTask(d, e.taskId, (t) => ({ ...t, approval: p.data.approval })) : d;
    }
    case "usage.recorded": {
      const p = UsageData.safeParse(e.data);
      if (!p.success) return d;
      const withUsage = updateTask(d, e.taskId, (t) => ({ ...t, usage: [...t.usage, p.data] }));
      return { ...withUsage, spentUsd: d.spentUsd + p.data.costUsd };
    }
    default:
      // Logs, tokens and artifacts do not change the snapshot: the feed and the artifacts panel read them.
      return d;
  }
}
