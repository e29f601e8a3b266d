import type { ProjectDetail, TaskView } from "./api";
import { artifactRefOf, ProjectEvent, type ProjectEventOf } from "./events";
import { TERMINAL_TASK_STATES } from "./task";

/**
 * The one fold of a project's events into its view. The dashboard, the CLI and the ProjectDO's
 * invariant test all use it: folding every event from `emptyProjectView` gives exactly what
 * `GET /api/projects/:id` returns, and rolling a snapshot forward with the events after its
 * `lastSeq` lands on the same state as refetching it.
 */
export function emptyProjectView(id: string): ProjectDetail {
  return {
    id,
    idea: "",
    state: "running",
    budgetUsd: null,
    spentUsd: 0,
    createdAt: 0,
    updatedAt: 0,
    pausedReason: null,
    tasks: [],
    lastSeq: 0,
  };
}

/** Applies the events after `view.lastSeq`, in order; older or repeated ones are skipped. */
export function foldEvents(view: ProjectDetail, events: readonly ProjectEvent[]): ProjectDetail {
  let next = view;
  for (const e of events) {
    if (e.seq <= next.lastSeq) continue;
    next = { ...applyEvent(next, e), lastSeq: e.seq, updatedAt: e.ts };
  }
  return next;
}

/** Like foldEvents for events of unknown shape (from the wire): those that do not parse are skipped. */
export function foldUnknownEvents(view: ProjectDetail, events: readonly unknown[]): ProjectDetail {
  const parsed: ProjectEvent[] = [];
  for (const raw of events) {
    const p = ProjectEvent.safeParse(raw);
    if (p.success) parsed.push(p.data);
  }
  return foldEvents(view, parsed);
}

function updateTask(d: ProjectDetail, id: string | null, fn: (t: TaskView) => TaskView): ProjectDetail {
  if (!id || !d.tasks.some((t) => t.id === id)) return d;
  return { ...d, tasks: d.tasks.map((t) => (t.id === id ? fn(t) : t)) };
}

function newTask(e: ProjectEventOf<"task.created">): TaskView | null {
  if (!("task" in e.data)) return null;
  const t = e.data.task;
  return {
    id: t.id,
    role: t.role,
    title: t.title,
    deps: t.deps,
    state: "pending",
    attempt: 0,
    // legacy events lack it; the snapshot the client started from usually has the real value.
    maxAttempts: t.maxAttempts ?? 1,
    error: null,
    output: null,
    artifacts: [],
    usage: [],
    dispatchedAt: null,
    startedAt: null,
    finishedAt: null,
    approval: t.approval ?? "none",
    waitingFor: null,
    stopReason: null,
    traceId: null,
  };
}

function applyTaskState(t: TaskView, e: ProjectEventOf<"task.state">): TaskView {
  const { state, attempt, error, startedAt, dispatchedAt, finishedAt, traceId, maxAttempts, waitingFor, stopReason } = e.data;
  const terminal = TERMINAL_TASK_STATES.includes(state);
  return {
    ...t,
    state,
    attempt: attempt ?? t.attempt,
    // legacy events omitted an empty error: a non-failure then cleared it.
    error: error !== undefined ? error : state === "failed" ? t.error : null,
    startedAt: startedAt !== undefined ? startedAt : state === "running" ? e.ts : t.startedAt,
    dispatchedAt: dispatchedAt !== undefined ? dispatchedAt : t.dispatchedAt,
    finishedAt: finishedAt !== undefined ? finishedAt : terminal ? e.ts : null,
    traceId: traceId !== undefined ? traceId : t.traceId,
    maxAttempts: maxAttempts ?? t.maxAttempts,
    waitingFor: waitingFor !== undefined ? waitingFor : null,
    stopReason: stopReason !== undefined ? stopReason : t.stopReason,
  };
}

function applyEvent(d: ProjectDetail, e: ProjectEvent): ProjectDetail {
  switch (e.type) {
    case "project.created":
      return { ...d, id: e.data.projectId ?? d.id, idea: e.data.idea, budgetUsd: e.data.budgetUsd, createdAt: e.ts, state: "running" };
    case "project.state":
      return {
        ...d,
        state: e.data.state,
        pausedReason: e.data.state === "paused" ? (e.data.reason ?? d.pausedReason) : null,
        ...(e.data.budgetUsd !== undefined ? { budgetUsd: e.data.budgetUsd } : {}),
      };
    case "project.budget":
      return { ...d, budgetUsd: e.data.budgetUsd };
    case "task.created": {
      if (!("task" in e.data)) {
        const deps = e.data.deps;
        return updateTask(d, e.taskId, (t) => ({ ...t, deps }));
      }
      const task = newTask(e);
      if (!task || d.tasks.some((t) => t.id === task.id)) return d;
      return { ...d, tasks: [...d.tasks, task] };
    }
    case "task.rewired":
      return updateTask(d, e.taskId, (t) => ({ ...t, deps: e.data.deps }));
    case "task.state":
      return updateTask(d, e.taskId, (t) => applyTaskState(t, e));
    case "task.reset":
      return updateTask(d, e.taskId, (t) => ({ ...t, maxAttempts: e.data.maxAttempts, approval: e.data.approval }));
    case "task.approval":
      return updateTask(d, e.taskId, (t) => ({ ...t, approval: e.data.approval }));
    case "task.output":
      return updateTask(d, e.taskId, (t) => ({ ...t, output: e.data.output }));
    case "usage.recorded": {
      const { attempt: _attempt, ...usage } = e.data;
      const withUsage = updateTask(d, e.taskId, (t) => ({ ...t, usage: [...t.usage, usage] }));
      return { ...withUsage, spentUsd: d.spentUsd + usage.costUsd };
    }
    case "artifact.stored": {
      const ref = artifactRefOf(e.data);
      if (!ref) return d;
      // One file per path and task: a re-run replaces it (and it moves to the end, as in storage).
      return updateTask(d, e.taskId, (t) => ({ ...t, artifacts: [...t.artifacts.filter((a) => a.path !== ref.path), ref] }));
    }
    case "task.log":
    case "task.token":
      // Shown in the feed; they change no state.
      return d;
  }
}
