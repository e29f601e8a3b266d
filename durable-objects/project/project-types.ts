import type { LlmConfig, ProjectState, Role, TaskState } from "@proximus/contracts";
import type { TaskDispatcher } from "./dispatcher";
import type { Tracer } from "@proximus/shared/tracing/span";

export interface InitParams {
  projectId: string;
  ownerId: string;
  idea: string;
  budgetUsd: number | null;
  llm: Partial<Record<Role, LlmConfig>>;
  approvals?: Role[];
  /** W3C traceparent of the request that created the project; a new trace is started without one. */
  traceparent?: string;
}

/** Hooks the hosting Worker supplies: how tasks leave the DO and how D1 is kept in step. */
export interface ProjectDeps {
  dispatcher: TaskDispatcher;
  syncToD1(entry: D1Sync): Promise<void>;
  taskTimeoutMs: number;
  maxAttempts: number;
  /** The provider the router falls back to when a role has no override (for budget estimates). */
  defaultProvider: string;
  /** How long a task may wait on an unavailable sandbox host before failing (default 30 min). */
  infraWaitMs?: number;
  /** Records a producer span per handed-off task; absent = ids still propagate, nothing is exported. */
  tracer?: Tracer;
}

export type D1Sync =
  /** `seq`: the event log position when enqueued; D1 keeps the newest, whatever the delivery order. */
  | { kind: "project"; projectId: string; state: ProjectState; spentUsd: number; budgetUsd: number | null; updatedAt: number; seq: number }
  | { kind: "task"; projectId: string; taskId: string; role: string; state: TaskState; attempt: number; updatedAt: number; seq: number }
  /** A finished project: delete every file under it that no applied result references. */
  | { kind: "r2-gc"; projectId: string; keep: string[] }
  /** Files of one result that was never applied. */
  | { kind: "r2-delete"; keys: string[] }
  /** `id` names the verdict (project, QA task, role, model), so a redelivery is not counted again. */
  | { kind: "router-outcome"; id: string; role: Role; provider: string; model: string; success: boolean }
  | {
      kind: "usage";
      projectId: string;
      taskId: string;
      attempt: number;
      idx: number;
      provider: string;
      model: string;
      inputTokens: number;
      outputTokens: number;
      costUsd: number;
      ts: number;
    };
