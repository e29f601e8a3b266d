import type { TaskMessage } from "@proximus/contracts";
import { currentFiles } from "./current-files";
import type { ProjectMeta, ProjectStore, Task } from "./store";

/**
 * The message a task attempt is dispatched with: every succeeded task's output as upstream
 * context, the project's current files (a later fix round overrides an earlier file at the same
 * path), the budget left and the usage ledger so far (Finance reports from it).
 */
export function buildTaskMessage(store: ProjectStore, meta: ProjectMeta, t: Task, now: number): TaskMessage {
  const done = store.tasks.inState("succeeded");
  const upstream: Record<string, unknown> = {};
  for (const d of done) upstream[d.id] = d.output;
  const files = currentFiles(done.map((d) => ({ id: d.id, state: d.state, artifacts: store.artifacts.ofTask(d.id) })));
  return {
    v: 1,
    projectId: meta.projectId,
    ownerId: meta.ownerId,
    taskId: t.id,
    attempt: t.attempt,
    idempotencyKey: `${meta.projectId}:${t.id}#${t.attempt}`,
    role: t.role,
    idea: meta.idea,
    upstream,
    upstreamArtifacts: files.map(({ taskId: _taskId, ...ref }) => ref),
    llm: meta.llm[t.role] ?? {},
    feedback: t.feedback ?? undefined,
    budgetRemainingUsd: meta.budgetUsd === null ? null : Math.max(0, meta.budgetUsd - store.usage.spentUsd()),
    usageLedger: store.usage.all(),
    ...(t.traceparent ? { traceparent: t.traceparent } : {}),
    dispatchedAt: now,
  };
}
