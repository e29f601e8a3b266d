import type { ProjectDetail, TaskView } from "@proximus/contracts";
import { traceIdOf } from "@proximus/shared/tracing/traceparent";
import type { EventLog } from "./event-log";
import type { ProjectStore, Task, TaskArtifact, UsageEntry } from "./store";

function taskView(t: Task, artifacts: TaskArtifact[], usage: UsageEntry[]): TaskView {
  return {
    id: t.id,
    role: t.role,
    title: t.title,
    deps: t.deps,
    state: t.state,
    attempt: t.attempt,
    maxAttempts: t.maxAttempts,
    error: t.error,
    output: t.output,
    artifacts: artifacts.map(({ taskId: _taskId, ...ref }) => ref),
    usage: usage.map(({ taskId: _taskId, attempt: _attempt, ...u }) => u),
    dispatchedAt: t.dispatchedAt,
    startedAt: t.startedAt,
    finishedAt: t.finishedAt,
    approval: t.approval,
    waitingFor: t.waitingFor,
    stopReason: t.stopReason,
    traceId: traceIdOf(t.traceparent),
  };
}

/**
 * The API's view of a project: meta, every task with its files and metered usage. The fold of the
 * project's events (contracts/project-view.ts) must arrive at exactly this; a test checks it after
 * every DO scenario.
 */
export function readProjectDetail(store: ProjectStore, log: EventLog): ProjectDetail {
  const meta = store.meta.get();
  const artifacts = store.artifacts.all();
  const usage = store.usage.all();
  return {
    id: meta.projectId,
    idea: meta.idea,
    state: meta.state,
    budgetUsd: meta.budgetUsd,
    spentUsd: store.usage.spentUsd(),
    createdAt: meta.createdAt,
    updatedAt: log.lastTs(),
    pausedReason: meta.state === "paused" ? meta.pausedReason : null,
    lastSeq: log.lastSeq(),
    tasks: store.tasks.all().map((t) =>
      taskView(
        t,
        artifacts.filter((a) => a.taskId === t.id),
        usage.filter((u) => u.taskId === t.id),
      ),
    ),
  };
}
