import { eq } from "drizzle-orm";
import { AppError, type CreateProjectRequest, type LlmConfig, type ProjectDetail, type Role } from "@proximus/contracts";
import { projects } from "../db/schema";
import { releaseIdempotencyKey } from "../auth/idempotency";
import { projectStub } from "../project-stub";
import type { Db } from "../db/client";

/** The steps of creating a project, in order. */
export const CREATE_STEPS = ["d1-insert", "do-init", "confirm"] as const;
export type CreateStep = (typeof CREATE_STEPS)[number];

/**
 * Test-only fault injection. `fail` throws at the start of a step (compensation runs);
 * `crash` throws there *without* compensating, as if the isolate died mid-saga — the
 * reconciler and the ProjectDO's outbox must then bring D1 and the DO back in step.
 */
export interface SagaFaults {
  fail?: CreateStep;
  crash?: CreateStep;
}

export class SagaCrash extends Error {}

export interface CreateInput {
  id: string;
  userId: string;
  body: CreateProjectRequest;
  llm: Partial<Record<Role, LlmConfig>>;
  traceparent?: string;
  idempotencyKey?: string;
}

/**
 * Create = insert the D1 row (unconfirmed) → init the ProjectDO (idempotent) → confirm the row.
 * A failure compensates by removing the row and freeing the idempotency key; a crash leaves an
 * unconfirmed row that `reconcileUnconfirmed` settles, and the DO's own outbox also confirms it.
 */
export async function createProjectSaga(db: Db, env: Env, input: CreateInput, faults: SagaFaults = {}): Promise<ProjectDetail> {
  const at = (step: CreateStep) => {
    if (faults.crash === step) throw new SagaCrash(`injected crash at ${step}`);
    if (faults.fail === step) throw new Error(`injected failure at ${step}`);
  };
  const now = Date.now();
  at("d1-insert");
  await db.insert(projects).values({
    id: input.id,
    ownerId: input.userId,
    idea: input.body.idea,
    state: "running",
    budgetUsd: input.body.budgetUsd ?? null,
    spentUsd: 0,
    createdAt: now,
    updatedAt: now,
    confirmedAt: null,
  });
  try {
    at("do-init");
    const detail = await projectStub(env, input.id).init({
      projectId: input.id,
      ownerId: input.userId,
      idea: input.body.idea,
      budgetUsd: input.body.budgetUsd ?? null,
      llm: input.llm,
      ...(input.body.approvals?.length ? { approvals: input.body.approvals } : {}),
      ...(input.traceparent ? { traceparent: input.traceparent } : {}),
    });
    at("confirm");
    await db.update(projects).set({ confirmedAt: Date.now() }).where(eq(projects.id, input.id));
    return detail;
  } catch (err) {
    if (err instanceof SagaCrash) throw err;
    // Compensate in reverse. If the DO did initialise (the failure came later, or only its reply
    // was lost) it is cancelled first, so no agent keeps spending for a project nobody can see.
    await projectStub(env, input.id)
      .cancel()
      .catch((e: unknown) => {
        if (!(e instanceof AppError && e.code === "not_found")) throw e;
      });
    await db.delete(projects).where(eq(projects.id, input.id));
    if (input.idempotencyKey !== undefined) await releaseIdempotencyKey(db, input.userId, input.idempotencyKey);
    throw err;
  }
}
