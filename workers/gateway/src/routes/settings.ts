import { Hono } from "hono";
import { and, eq } from "drizzle-orm";
import { AgentPrefsBody, AppError, KeyProvider, PutKeyRequest } from "@proximus/contracts";
import { agentPrefs, apiKeys } from "../db/schema";
import { ensureUser } from "../db/users";
import { loadAgentPrefs } from "../db/agent-prefs";
import { jsonBody, parseWith } from "../validate";
import { seal } from "@proximus/shared/secret-box";
import type { AppEnv } from "../app-env";

function encryptionSecret(env: Env): string {
  const s = env.KEYS_ENCRYPTION_SECRET;
  if (!s) throw new AppError("internal", "KEYS_ENCRYPTION_SECRET is not configured; provider keys cannot be stored");
  return s;
}

/** Provider keys are write-only: the API says whether one is set, never what it is. */
export const settingsRoutes = new Hono<AppEnv>()
  .get("/keys", async (c) => {
    const rows = await c.var.db
      .select({ provider: apiKeys.provider, createdAt: apiKeys.createdAt })
      .from(apiKeys)
      .where(eq(apiKeys.userId, c.var.user.id));
    const set = new Map(rows.map((r) => [r.provider, r.createdAt]));
    return c.json({
      providers: KeyProvider.options.map((name) => ({ name, configured: set.has(name), updatedAt: set.get(name) ?? null })),
    });
  })
  .put("/keys/:provider", async (c) => {
    const provider = parseWith(KeyProvider, c.req.param("provider"), "provider");
    const body = await jsonBody(c, PutKeyRequest);
    if (provider === "bedrock" && !/^[A-Z0-9]{16,128}:.{16,}$/.test(body.apiKey)) {
      throw new AppError("validation_failed", "invalid body", [
        { field: "apiKey", message: "Bedrock keys are ACCESS_KEY_ID:SECRET_ACCESS_KEY" },
      ]);
    }
    const user = c.var.user;
    await ensureUser(c.var.db, user);
    const box = await seal(encryptionSecret(c.env), JSON.stringify(body), `${user.id}:${provider}`);
    await c.var.db
      .insert(apiKeys)
      .values({ userId: user.id, provider, ...box, createdAt: Date.now() })
      .onConflictDoUpdate({ target: [apiKeys.userId, apiKeys.provider], set: { ...box, createdAt: Date.now() } });
    return c.body(null, 204);
  })
  .delete("/keys/:provider", async (c) => {
    const provider = parseWith(KeyProvider, c.req.param("provider"), "provider");
    await c.var.db.delete(apiKeys).where(and(eq(apiKeys.userId, c.var.user.id), eq(apiKeys.provider, provider)));
    return c.body(null, 204);
  })
  .get("/agent-prefs", async (c) => c.json({ prefs: await loadAgentPrefs(c.var.db, c.var.user.id) }))
  .put("/agent-prefs", async (c) => {
    const { prefs } = await jsonBody(c, AgentPrefsBody);
    const user = c.var.user;
    await ensureUser(c.var.db, user);
    const now = Date.now();
    // Replace the whole set: roles left out go back to their defaults.
    await c.var.db.batch([
      c.var.db.delete(agentPrefs).where(eq(agentPrefs.userId, user.id)),
      ...Object.entries(prefs).map(([role, config]) =>
        c.var.db.insert(agentPrefs).values({ userId: user.id, role, config, updatedAt: now }),
      ),
    ]);
    return c.json({ prefs });
  });
