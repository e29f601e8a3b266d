import { and, eq } from "drizzle-orm";
import { AppError } from "@proximus/contracts";
import type { ProjectDOBase } from "../../../durable-objects/project/project-do";
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

type RpcMethodNames<T> = Exclude<
  { [K in keyof T]-?: T[K] extends (...args: never[]) => Promise<RpcResult<unknown>> ? K : never }[keyof T],
  undefined
>;

/**
 * The ProjectDO's RPC surface as the gateway uses it, derived from the DO class itself (its one
 * list of methods): the same methods, each answering its value or throwing the AppError.
 */
export type ProjectRpc = {
  [K in RpcMethodNames<ProjectDOBase>]: ProjectDOBase[K] extends (...args: infer A) => Promise<RpcResult<infer R>>
    ? (...args: A) => Promise<R>
    : never;
} & { fetch(request: Request): Promise<Response> };

/** The DO's actual RPC surface: the same methods, with errors as values. */
export type RemoteProject = { [K in RpcMethodNames<ProjectDOBase>]: ProjectDOBase[K] } & { fetch(request: Request): Promise<Response> };

/**
 * The ProjectDO returns errors as values; this facade turns them back into AppErrors so routes
 * can simply `await`. (Workers' stub types also map recursive JSON too deeply for TypeScript,
 * so the stub is viewed through the type the DO class is checked against.)
 */
export function projectStub(env: Env, id: string): ProjectRpc {
  const remote = env.PROJECT.getByName(id) as unknown as Record<string, (...args: unknown[]) => Promise<RpcResult<unknown>>> &
    RemoteProject;
  return new Proxy({} as ProjectRpc, {
    get(_target, name) {
      if (name === "fetch") return (request: Request) => remote.fetch(request);
      if (typeof name !== "string" || name === "then") return undefined;
      return async (...args: unknown[]) => {
        const r = await remote[name]!(...args);
        if (!r.ok) throw new AppError(r.error.code, r.error.message, r.error.details);
        return r.value;
      };
    },
  });
}
