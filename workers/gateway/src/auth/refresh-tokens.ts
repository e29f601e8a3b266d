import { and, eq, isNull, lt } from "drizzle-orm";
import { AppError } from "@proximus/contracts";
import { refreshTokens } from "../db/schema";
import type { Db } from "../db/client";
import { randomToken, sha256Hex } from "./crypto";

/**
 * Rotating refresh tokens (OAuth 2.0 Security BCP §4.14.2): opaque, stored only as SHA-256, and
 * each one usable once. A login starts a family; presenting a token that was already rotated
 * means it leaked (or was replayed), so the whole family is revoked and its holder must log in.
 */
export interface Issued {
  token: string;
  family: string;
  expiresAt: number;
}

export async function issueRefreshToken(
  db: Db,
  userId: string,
  ttlS: number,
  family: string = crypto.randomUUID(),
  now = Date.now(),
): Promise<Issued> {
  const token = randomToken(32);
  const expiresAt = now + ttlS * 1000;
  await db.insert(refreshTokens).values({ hash: await sha256Hex(token), userId, family, expiresAt, createdAt: now });
  return { token, family, expiresAt };
}

export async function revokeFamily(db: Db, family: string, now = Date.now()): Promise<void> {
  await db
    .update(refreshTokens)
    .set({ revokedAt: now })
    .where(and(eq(refreshTokens.family, family), isNull(refreshTokens.revokedAt)));
}

const invalid = () => new AppError("unauthorized", "the session has ended; log in again");

/** Spends `token` and returns its successor in the same family, for the same user. */
export async function rotateRefreshToken(db: Db, token: string, ttlS: number, now = Date.now()): Promise<Issued & { userId: string }> {
  const hash = await sha256Hex(token);
  // Conditional update: of two concurrent uses of one token, exactly one wins.
  const [won] = await db
    .update(refreshTokens)
    .set({ rotatedAt: now })
    .where(and(eq(refreshTokens.hash, hash), isNull(refreshTokens.rotatedAt), isNull(refreshTokens.revokedAt)))
    .returning();
  if (!won) {
    const row = await db.query.refreshTokens.findFirst({ where: eq(refreshTokens.hash, hash) });
    if (row?.rotatedAt != null) {
      console.warn("refresh token reuse detected; revoking family", row.family);
      await revokeFamily(db, row.family, now);
    }
    throw invalid();
  }
  if (won.expiresAt <= now) throw invalid();
  const next = await issueRefreshToken(db, won.userId, ttlS, won.family, now);
  return { ...next, userId: won.userId };
}

/** Logout: the family of `token` (if any) can no longer be used. */
export async function revokeByToken(db: Db, token: string, now = Date.now()): Promise<void> {
  const row = await db.query.refreshTokens.findFirst({ where: eq(refreshTokens.hash, await sha256Hex(token)) });
  if (row) await revokeFamily(db, row.family, now);
}

/** Housekeeping at login: a user's long-expired tokens are no longer needed for reuse detection. */
export async function pruneExpired(db: Db, userId: string, now = Date.now()): Promise<void> {
  await db.delete(refreshTokens).where(and(eq(refreshTokens.userId, userId), lt(refreshTokens.expiresAt, now - 7 * 86_400_000)));
}
