import { ProjectDOBase } from "../../../durable-objects/project/project-do";
import type { ProjectDeps } from "../../../durable-objects/project/project-types";
import { db } from "./db/client";
import { applyD1Sync } from "./d1-sync";
import { dispatcherFor } from "./dispatchers";
import type { RemoteProject } from "./project-stub";
import { gatewayTracer } from "./tracing";

/** The ProjectDO as deployed in the gateway Worker: wires the orchestrator to D1 and the bus. */
export class ProjectDO extends ProjectDOBase {
  private wired: ProjectDeps | null = null;

  protected deps(): ProjectDeps {
    this.wired ??= {
      dispatcher: dispatcherFor(this.env),
      syncToD1: (entry) => applyD1Sync(db(this.env.DB), this.env.DB, this.env.ARTIFACTS, entry),
      taskTimeoutMs: Number(this.env.TASK_TIMEOUT_MS) || 300_000,
      maxAttempts: Number(this.env.TASK_MAX_ATTEMPTS) || 3,
      defaultProvider: this.env.DEFAULT_PROVIDER || "offline",
      tracer: gatewayTracer(this.env),
    };
    return this.wired;
  }

  /** Tests swap how tasks leave the object, e.g. to hold them and answer by hand. Not routed by the gateway. */
  overrideDepsForTest(patch: Partial<ProjectDeps>): void {
    this.wired = { ...this.deps(), ...patch };
  }
}

// The gateway's facade assumes this shape; keep the class honest about it.
const _surfaceCheck = (o: ProjectDO): RemoteProject => o;
void _surfaceCheck;
