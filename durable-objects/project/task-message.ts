import type { Role, TaskMessage } from "../../contracts";
import { currentFiles } from "./current-files";
import { usageOf, type ProjectMeta, type TaskRow, type UsageRow } from "./project-state";

/**
 * The message a task attempt is dispatched with: every succeeded task's output as upstream
 * context, the project's current files (a later fix round overrides an earlier file at the same
 * path), the budget left and the usage ledger so far (Finance reports from it).
 */
export function buildTaskMessage(sql: SqlStorage, meta: ProjectMeta, t: TaskRow, now: number, spentUsd: number): TaskMessage {
  const done = sql.exec<TaskRow>("SELECT * FROM tasks WHERE state = 'succeeded' ORDER BY ord").toArray();
  const upstream: Record<string, unknown> = {};
  for (const d of done) upstream[d.id] = d.output === null ? null : (JSON.parse(d.output) as unknown);
  const files = currentFiles(
    done.map((d) => ({
      id: d.id,
      state: d.state,
      artifacts: sql
        .exec<Record<string, SqlStorageValue>>("SELECT * FROM artifacts WHERE task_id = ?", d.id)
        .toArray()
        .map((a) => ({ path: String(a.path), key: String(a.key), bytes: Number(a.bytes), sha256: String(a.sha256) })),
    })),
  );
  return {
    v: 1,
    projectId: meta.projectId,
    ownerId: meta.ownerId,
    taskId: t.id,
    attempt: t.attempt,
    idempotencyKey: `${meta.projectId}:${t.id}#${t.attempt}`,
    role: t.role as Role,
    idea: meta.idea,
    upstream,
    upstreamArtifacts: files.map(({ taskId: _taskId, ...ref }) => ref),
    llm: meta.llm[t.role as Role] ?? {},
    feedback: t.feedback ?? undefined,
    budgetRemainingUsd: meta.budgetUsd === null ? null : Math.max(0, meta.budgetUsd - spentUsd),
    usageLedger: sql.exec<UsageRow>("SELECT * FROM usage ORDER BY id").toArray().map(usageOf),
    ...(t.traceparent ? { traceparent: t.traceparent } : {}),
    dispatchedAt: now,
  };
}
