import { Hono } from "hono";
import { and, eq, gt, isNull, lt } from "drizzle-orm";
import { wsTickets } from "../db/schema";
import { ensureUser } from "../db/users";
import type { Db } from "../db/client";
import { ownedProject } from "../project-stub";
import type { AppEnv } from "../app-env";
import { randomToken, sha256Hex } from "./crypto";

/** Long enough to open a socket right after asking, short enough that a logged URL is worthless. */
export const WS_TICKET_TTL_MS = 30_000;

/**
 * Browsers cannot send Authorization on a WebSocket upgrade, so the dashboard first asks for a
 * ticket (with its bearer token) and opens `/ws?ticket=…`. A ticket is single-use and only
 * opens the one project it was issued for.
 */
export const wsTicketRoutes = new Hono<AppEnv>().post("/:id/ws-ticket", async (c) => {
  const id = c.req.param("id");
  await ownedProject(c.var.db, c.env, c.var.user.id, id);
  await ensureUser(c.var.db, c.var.user);
  const ticket = randomToken(32);
  const now = Date.now();
  const expiresAt = now + WS_TICKET_TTL_MS;
  await c.var.db.batch([
    c.var.db.delete(wsTickets).where(and(eq(wsTickets.userId, c.var.user.id), lt(wsTickets.expiresAt, now))),
    c.var.db.insert(wsTickets).values({ hash: await sha256Hex(ticket), userId: c.var.user.id, projectId: id, expiresAt }),
  ]);
  c.header("cache-control", "no-store");
  return c.json({ ticket, expiresAt, url: `/api/projects/${id}/ws?ticket=${ticket}` }, 201);
});

/** Spends a ticket for `projectId`; the user it was issued to, or null (unknown, used, expired, other project). */
export async function consumeWsTicket(db: Db, ticket: string, projectId: string, now = Date.now()): Promise<string | null> {
  const [row] = await db
    .update(wsTickets)
    .set({ usedAt: now })
    .where(
      and(
        eq(wsTickets.hash, await sha256Hex(ticket)),
        eq(wsTickets.projectId, projectId),
        isNull(wsTickets.usedAt),
        gt(wsTickets.expiresAt, now),
      ),
    )
    .returning({ userId: wsTickets.userId });
  return row?.userId ?? null;
}
