import type { TaskView } from "@proximus/contracts/api";

/**
 * What a task is doing right now, finer than its state: a "running" task may still wait on a
 * concurrency limit (handed off, agent not begun), and a "ready" one on infrastructure (the sandbox
 * host). The DAG node, the drawer and the tasks table all read it, so they never disagree.
 */
export type TaskPhase =
  /** Handed off, waiting on a concurrency limit; `reason` names the limit. */
  | { kind: "queued"; label: "queued"; reason: string }
  /** Handed off, the agent has not reported yet (normally a few ms). */
  | { kind: "starting"; label: "starting"; reason: null }
  /** Ready, but held back by something outside the task (e.g. the sandbox host is unreachable). */
  | { kind: "waiting"; label: "waiting"; reason: string }
  | { kind: TaskView["state"]; label: TaskView["state"]; reason: null };

// The limiter's reasons start with "queued: "; the label already says it.
const QUEUED_PREFIX = /^queued:\s*/i;

export function taskPhase(t: Pick<TaskView, "state" | "startedAt" | "waitingFor">): TaskPhase {
  const reason = t.waitingFor?.trim() || null;
  if (t.state === "running" && t.startedAt === null) {
    if (reason) return { kind: "queued", label: "queued", reason: reason.replace(QUEUED_PREFIX, "") || reason };
    return { kind: "starting", label: "starting", reason: null };
  }
  if (t.state === "ready" && reason) return { kind: "waiting", label: "waiting", reason };
  return { kind: t.state, label: t.state, reason: null };
}

export interface TaskTiming {
  /** Hand-off to agent start; runs on while the task is queued. null before the hand-off. */
  queueMs: number | null;
  /** Agent start to finish; runs on while the agent works. null until the agent started. */
  runMs: number | null;
}

/**
 * Queue wait and run time of the current attempt, from dispatchedAt → startedAt → finishedAt.
 * An attempt that finished without its agent starting (cancelled or timed out while queued) has a
 * queue wait up to its end and no run time.
 */
export function taskTiming(t: Pick<TaskView, "dispatchedAt" | "startedAt" | "finishedAt">, now: number): TaskTiming {
  const end = t.finishedAt ?? now;
  const queueMs = t.dispatchedAt === null ? null : Math.max(0, (t.startedAt ?? end) - t.dispatchedAt);
  const runMs = t.startedAt === null ? null : Math.max(0, end - t.startedAt);
  return { queueMs, runMs };
}
