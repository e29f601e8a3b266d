import { eq } from "drizzle-orm";
import { AppError } from "@proximus/contracts";
import { users } from "../db/schema";
import type { Db } from "../db/client";
import type { AuthUser } from "../app-env";
import type { Identity } from "./oidc";

/**
 * The user for an OIDC identity, keyed by `issuer|sub` (never by email: linking accounts by
 * address would let whoever controls an address at any issuer take over the account).
 */
export async function upsertOidcUser(db: Db, id: Identity, now = Date.now()): Promise<AuthUser> {
  const oidcSubject = `${id.issuer}|${id.subject}`;
  const sameEmail = await db.query.users.findFirst({ where: eq(users.email, id.email) });
  if (sameEmail && sameEmail.oidcSubject !== oidcSubject) {
    throw new AppError("conflict", "this email address already belongs to another sign-in identity");
  }
  const [row] = await db
    .insert(users)
    .values({ id: crypto.randomUUID(), email: id.email, name: id.name, oidcSubject, createdAt: now })
    .onConflictDoUpdate({ target: users.oidcSubject, set: { email: id.email, name: id.name } })
    .returning();
  if (!row) throw new AppError("internal", "could not store the user");
  return { id: row.id, email: row.email, name: row.name };
}

export async function userById(db: Db, userId: string): Promise<AuthUser | null> {
  const row = await db.query.users.findFirst({ where: eq(users.id, userId) });
  return row ? { id: row.id, email: row.email, name: row.name } : null;
}
