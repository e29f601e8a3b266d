import { and, eq, isNull, lt } from "drizzle-orm";
import { AppError } from "@proximus/contracts";
import { idempotencyKeys, projects } from "../db/schema";
import { projectStub } from "../project-stub";
import type { Db } from "../db/client";

/** A create saga still unconfirmed after this long has lost its request (crash, timeout). */
export const UNCONFIRMED_GRACE_MS = 60_000;

/**
 * Settles create sagas that died midway: an unconfirmed row whose ProjectDO holds the project
 * is confirmed; one whose DO never got it is removed, with its idempotency key.
 * Run by the gateway's cron; idempotent.
 */
export async function reconcileUnconfirmed(db: Db, env: Env, now = Date.now()): Promise<{ confirmed: string[]; removed: string[] }> {
  const stale = await db.query.projects.findMany({
    where: and(isNull(projects.confirmedAt), lt(projects.createdAt, now - UNCONFIRMED_GRACE_MS)),
    columns: { id: true, ownerId: true },
    limit: 100,
  });
  const out = { confirmed: [] as string[], removed: [] as string[] };
  for (const row of stale) {
    try {
      await projectStub(env, row.id).detail();
      await db.update(projects).set({ confirmedAt: now }).where(eq(projects.id, row.id));
      out.confirmed.push(row.id);
    } catch (err) {
      if (!(err instanceof AppError && err.code === "not_found")) {
        // One unreachable DO must not stop the others from being settled; the next run retries it.
        console.error("reconcile: could not check project", { projectId: row.id, error: err instanceof Error ? err.message : String(err) });
        continue;
      }
      await db.batch([
        db.delete(idempotencyKeys).where(and(eq(idempotencyKeys.userId, row.ownerId), eq(idempotencyKeys.projectId, row.id))),
        db.delete(projects).where(eq(projects.id, row.id)),
      ]);
      out.removed.push(row.id);
    }
  }
  return out;
}
