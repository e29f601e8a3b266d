import { ArtifactRef, type Json, type LlmConfig, type ProjectDetail, type ProjectState, type Role, type TaskState, type TaskView, type Usage } from "../../contracts";
import { traceIdOf } from "../../workers/shared/tracing/traceparent";

export interface ProjectMeta {
  projectId: string;
  ownerId: string;
  idea: string;
  state: ProjectState;
  budgetUsd: number | null;
  llm: Partial<Record<Role, LlmConfig>>;
  createdAt: number;
  updatedAt: number;
  pausedReason: string | null;
  /** Roles gated on a person's approval (absent on projects created before gates existed). */
  approvals?: Role[];
  /** The trace the project was created in; every task attempt is a child span of it. Absent on projects made before tracing. */
  traceparent?: string;
}

export interface TaskRow extends Record<string, SqlStorageValue> {
  id: string;
  ord: number;
  role: string;
  title: string;
  deps: string;
  state: string;
  attempt: number;
  max_attempts: number;
  not_before: number;
  deadline: number | null;
  feedback: string | null;
  reserved_usd: number;
  output: string | null;
  error: string | null;
  started_at: number | null;
  finished_at: number | null;
  traceparent: string | null;
  approval: string;
}

export interface UsageRow extends Record<string, SqlStorageValue> {
  task_id: string;
  attempt: number;
  provider: string;
  model: string;
  input_tokens: number;
  output_tokens: number;
  cost_usd: number;
}

export const usageOf = (r: UsageRow): Usage & { taskId: string; attempt: number } => ({
  taskId: r.task_id,
  attempt: r.attempt,
  provider: r.provider as Usage["provider"],
  model: r.model,
  inputTokens: r.input_tokens,
  outputTokens: r.output_tokens,
  costUsd: r.cost_usd,
});

export function taskView(r: TaskRow, artifacts: ArtifactRef[], usage: Usage[]): TaskView {
  return {
    id: r.id,
    role: r.role as Role,
    title: r.title,
    deps: JSON.parse(r.deps) as string[],
    state: r.state as TaskState,
    attempt: r.attempt,
    maxAttempts: r.max_attempts,
    error: r.error,
    output: r.output === null ? null : (JSON.parse(r.output) as Json),
    artifacts,
    usage,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    approval: r.approval as TaskView["approval"],
    traceId: traceIdOf(r.traceparent),
  };
}

/** The API's view of a project: meta, every task with its files and metered usage. */
export function readProjectDetail(sql: SqlStorage, meta: ProjectMeta, lastSeq: number, spentUsd: number): ProjectDetail {
  const tasks = sql.exec<TaskRow>("SELECT * FROM tasks ORDER BY ord").toArray();
  const artifacts = sql.exec<{ task_id: string } & Record<string, SqlStorageValue>>("SELECT * FROM artifacts").toArray();
  const usage = sql.exec<UsageRow>("SELECT * FROM usage ORDER BY id").toArray();
  return {
    id: meta.projectId,
    idea: meta.idea,
    state: meta.state,
    budgetUsd: meta.budgetUsd,
    spentUsd,
    createdAt: meta.createdAt,
    updatedAt: meta.updatedAt,
    lastSeq,
    tasks: tasks.map((t) =>
      taskView(
        t,
        artifacts
          .filter((a) => a.task_id === t.id)
          .map((a) => ArtifactRef.parse({ path: a.path, key: a.key, bytes: a.bytes, sha256: a.sha256, contentType: a.content_type ?? undefined })),
        usage.filter((u) => u.task_id === t.id).map(usageOf),
      ),
    ),
  };
}
