import { and, eq, lte, sql } from "drizzle-orm";
import { projects, routerOutcomesApplied, tasks, usageLedger } from "./db/schema";
import type { Db } from "./db/client";
import { deleteUnreferencedArtifacts } from "./artifact-gc";
import { ProviderName } from "@proximus/contracts";
import { SqlRouterStats } from "@proximus/agents/llm/stats";
import type { D1Sync } from "../../../durable-objects/project/project-types";

/** Applies one ProjectDO outbox entry to D1 (or, for r2-gc, to R2). Idempotent: entries can be delivered more than once. */
export async function applyD1Sync(db: Db, d1: D1Database, r2: R2Bucket, s: D1Sync): Promise<void> {
  switch (s.kind) {
    case "project":
      await db
        .update(projects)
        // The DO holding the project is the create saga's confirmation, even if the request died.
        .set({
          state: s.state,
          spentUsd: s.spentUsd,
          budgetUsd: s.budgetUsd,
          updatedAt: s.updatedAt,
          syncSeq: s.seq,
          confirmedAt: sql`coalesce(${projects.confirmedAt}, ${s.updatedAt})`,
        })
        // Outbox entries retry independently: an older state delivered late must not win.
        .where(and(eq(projects.id, s.projectId), lte(projects.syncSeq, s.seq)));
      return;
    case "task":
      // A DO whose project row is gone (a compensated create) has nothing to index.
      if (!(await projectExists(db, s.projectId))) return;
      await db
        .insert(tasks)
        .values({
          projectId: s.projectId,
          taskId: s.taskId,
          role: s.role,
          state: s.state,
          attempt: s.attempt,
          updatedAt: s.updatedAt,
          syncSeq: s.seq,
        })
        .onConflictDoUpdate({
          target: [tasks.projectId, tasks.taskId],
          set: { state: s.state, attempt: s.attempt, updatedAt: s.updatedAt, syncSeq: s.seq },
          setWhere: lte(tasks.syncSeq, s.seq),
        });
      return;
    case "r2-delete":
      await r2.delete(s.keys);
      return;
    case "r2-gc":
      await deleteUnreferencedArtifacts(r2, s.projectId, s.keep);
      return;
    case "router-outcome": {
      // Marker first: a crash between the two loses one sample, which is better than counting twice.
      const fresh = await db.insert(routerOutcomesApplied).values({ id: s.id, createdAt: Date.now() }).onConflictDoNothing().returning();
      if (fresh.length > 0) await new SqlRouterStats(d1).recordOutcome(s.role, ProviderName.parse(s.provider), s.model, s.success);
      return;
    }
    case "usage": {
      const owner = await projectExists(db, s.projectId);
      // The project row was removed (cancelled create): nothing to bill against.
      if (!owner) return;
      await db
        .insert(usageLedger)
        .values({
          projectId: s.projectId,
          ownerId: owner.ownerId,
          taskId: s.taskId,
          attempt: s.attempt,
          idx: s.idx,
          provider: s.provider,
          model: s.model,
          inputTokens: s.inputTokens,
          outputTokens: s.outputTokens,
          costUsd: s.costUsd,
          createdAt: s.ts,
        })
        .onConflictDoNothing();
      return;
    }
  }
}

async function projectExists(db: Db, projectId: string): Promise<{ ownerId: string } | undefined> {
  return db.query.projects.findFirst({ where: eq(projects.id, projectId), columns: { ownerId: true } });
}
