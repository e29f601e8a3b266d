import type { Context } from "hono";
import { and, eq, lt } from "drizzle-orm";
import { AppError } from "@proximus/contracts";
import { idempotencyKeys } from "../db/schema";
import type { Db } from "../db/client";
import { sha256Hex } from "./crypto";

/** How long a key is remembered; a retry after this creates a new project. */
export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;

/** The `Idempotency-Key` header, if sent: 1–255 visible ASCII characters. */
export function idempotencyKeyOf(c: Context): string | undefined {
  const key = c.req.header("idempotency-key");
  if (key === undefined) return undefined;
  if (!/^[\x21-\x7e]{1,255}$/.test(key)) {
    throw new AppError("validation_failed", "invalid header", [
      { field: "Idempotency-Key", message: "must be 1-255 visible ASCII characters" },
    ]);
  }
  return key;
}

/** Key order and whitespace do not make two bodies different requests. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(",")}]`;
  if (v !== null && typeof v === "object") {
    const entries = Object.entries(v as Record<string, unknown>)
      .filter(([, x]) => x !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${canonical(x)}`).join(",")}}`;
  }
  return JSON.stringify(v);
}

export const fingerprint = (body: unknown) => sha256Hex(canonical(body));

export type Claim = { kind: "new" } | { kind: "replay"; projectId: string };

/**
 * Reserves `key` for `projectId`, or names the project an earlier identical request created.
 * Insert-first, so two concurrent requests with one key cannot both create a project.
 */
export async function claimIdempotencyKey(
  db: Db,
  userId: string,
  key: string,
  print: string,
  projectId: string,
  now = Date.now(),
): Promise<Claim> {
  const mine = and(eq(idempotencyKeys.userId, userId), eq(idempotencyKeys.key, key));
  await db.delete(idempotencyKeys).where(and(mine, lt(idempotencyKeys.createdAt, now - IDEMPOTENCY_TTL_MS)));
  const inserted = await db
    .insert(idempotencyKeys)
    .values({ userId, key, fingerprint: print, projectId, createdAt: now })
    .onConflictDoNothing()
    .returning();
  if (inserted.length > 0) return { kind: "new" };
  const row = await db.query.idempotencyKeys.findFirst({ where: mine });
  if (!row) throw new AppError("conflict", "a request with this Idempotency-Key is in progress; retry shortly");
  if (row.fingerprint !== print) throw new AppError("conflict", "this Idempotency-Key was already used with a different request body");
  return { kind: "replay", projectId: row.projectId };
}

/** A failed creation frees its key, so the client's retry can succeed. */
export async function releaseIdempotencyKey(db: Db, userId: string, key: string): Promise<void> {
  await db.delete(idempotencyKeys).where(and(eq(idempotencyKeys.userId, userId), eq(idempotencyKeys.key, key)));
}
