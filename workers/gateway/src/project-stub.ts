import { and, eq } from "drizzle-orm";
import { AppError, type AgentEventMessage, type ProjectDetail, type ProjectEvent, type ResultMessage } from "../../../contracts";
import type { InitParams } from "../../../durable-objects/project/project-types";
import type { RpcResult } from "../../../durable-objects/project/rpc-result";
import { projects } from "./db/schema";
import type { Db } from "./db/client";

const PROJECT_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * The caller's project or a 404: another user's id answers exactly like an unknown one,
 * so ids cannot be probed.
 */
export async function ownedProject(db: Db, env: Env, ownerId: string, id: string) {
  if (!PROJECT_ID.test(id)) throw new AppError("not_found", "project not found");
  const row = await db.query.projects.findFirst({ where: and(eq(projects.id, id), eq(projects.ownerId, ownerId)) });
  if (!row) throw new AppError("not_found", "project not found");
  return { row, stub: projectStub(env, id) };
}

/** The ProjectDO's RPC surface as the gateway uses it. */
export interface ProjectRpc {
  init(p: InitParams): Promise<ProjectDetail>;
  detail(): Promise<ProjectDetail>;
  events(since: number, limit: number): Promise<{ events: ProjectEvent[]; lastSeq: number }>;
  cancel(): Promise<ProjectDetail>;
  raiseBudget(budgetUsd: number): Promise<ProjectDetail>;
  retryTask(taskId: string): Promise<ProjectDetail>;
  approveTask(taskId: string): Promise<ProjectDetail>;
  interveneTask(taskId: string, feedback: string): Promise<ProjectDetail>;
  applyResult(r: ResultMessage): Promise<{ applied: boolean }>;
  applyAgentEvent(e: AgentEventMessage): Promise<null>;
  fetch(request: Request): Promise<Response>;
}

/** The DO's actual RPC surface: the same methods, with errors as values. */
export type RemoteProject = { [K in Exclude<keyof ProjectRpc, "fetch">]: (...args: Parameters<ProjectRpc[K]>) => Promise<RpcResult<Awaited<ReturnType<ProjectRpc[K]>>>> } & {
  fetch(request: Request): Promise<Response>;
};

/**
 * The ProjectDO returns errors as values; this facade turns them back into AppErrors so routes
 * can simply `await`. (Workers' stub types also map recursive JSON too deeply for TypeScript,
 * so the stub is viewed through the interface the DO class is checked against.)
 */
export function projectStub(env: Env, id: string): ProjectRpc {
  const remote = env.PROJECT.getByName(id) as unknown as RemoteProject;
  const unwrap = async <T>(p: Promise<RpcResult<T>>): Promise<T> => {
    const r = await p;
    if (!r.ok) throw new AppError(r.error.code, r.error.message, r.error.details);
    return r.value;
  };
  return {
    init: (p) => unwrap(remote.init(p)),
    detail: () => unwrap(remote.detail()),
    events: (since, limit) => unwrap(remote.events(since, limit)),
    cancel: () => unwrap(remote.cancel()),
    raiseBudget: (usd) => unwrap(remote.raiseBudget(usd)),
    retryTask: (taskId) => unwrap(remote.retryTask(taskId)),
    approveTask: (taskId) => unwrap(remote.approveTask(taskId)),
    interveneTask: (taskId, feedback) => unwrap(remote.interveneTask(taskId, feedback)),
    applyResult: (r) => unwrap(remote.applyResult(r)),
    applyAgentEvent: (e) => unwrap(remote.applyAgentEvent(e)),
    fetch: (request) => remote.fetch(request),
  };
}
