import { users } from "./schema";
import type { Db } from "./client";
import type { AuthUser } from "../app-env";

/** Rows that reference a user need it to exist; cheap and idempotent, so done before such writes. */
export async function ensureUser(db: Db, user: AuthUser): Promise<void> {
  await db
    .insert(users)
    .values({ ...user, createdAt: Date.now() })
    .onConflictDoNothing();
}
