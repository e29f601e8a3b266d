import { eq } from "drizzle-orm";
import { LlmConfig, Role, type Role as RoleT } from "@proximus/contracts";
import { agentPrefs } from "./schema";
import type { Db } from "./client";

export async function loadAgentPrefs(db: Db, userId: string): Promise<Partial<Record<RoleT, LlmConfig>>> {
  const rows = await db.select().from(agentPrefs).where(eq(agentPrefs.userId, userId));
  const out: Partial<Record<RoleT, LlmConfig>> = {};
  for (const r of rows) {
    const role = Role.safeParse(r.role);
    const cfg = LlmConfig.safeParse(r.config);
    // Stored prefs were validated on write; anything unreadable is skipped rather than fatal.
    if (role.success && cfg.success) out[role.data] = cfg.data;
  }
  return out;
}
