import { Hono } from "hono";
import { z } from "zod";
import { probeSandboxCached, SandboxReachability } from "@proximus/shared/sandbox-probe";
import type { AppEnv } from "../app-env";

/** The part of the agents Worker's /health the gateway relies on. */
const AgentsHealth = z.object({ sandbox: SandboxReachability });
const AGENTS_TIMEOUT_MS = 5_000;

/**
 * The sandbox as the Worker that calls it sees it: in BUS_MODE=inline tasks run here, so the
 * gateway probes with its own SANDBOX_URL/SANDBOX_SECRET; otherwise the agents Worker runs QA
 * and holds them, so it is asked over its service binding.
 */
async function sandboxReachability(env: Env): Promise<SandboxReachability> {
  if (env.BUS_MODE === "inline") return probeSandboxCached(env);
  const agents: Fetcher | undefined = env.AGENTS;
  if (!agents) return { ok: false, isolation: null, error: "no AGENTS service binding: cannot ask the agents Worker about the sandbox" };
  try {
    const res = await agents.fetch("https://agents.internal/health", { signal: AbortSignal.timeout(AGENTS_TIMEOUT_MS) });
    const parsed = AgentsHealth.safeParse(await res.json().catch(() => null));
    if (parsed.success) return parsed.data.sandbox;
    return { ok: false, isolation: null, error: `the agents Worker's /health answered HTTP ${res.status} without a sandbox report` };
  } catch (err) {
    return { ok: false, isolation: null, error: `the agents Worker is unreachable: ${err instanceof Error ? err.message : String(err)}` };
  }
}

/** `ok` (and 200) only when every part a project needs answers: D1 and the sandbox QA runs tests in. */
export const health = new Hono<AppEnv>().get("/health", async (c) => {
  const [d1, sandbox] = await Promise.all([
    c.env.DB.prepare("SELECT 1 AS ok")
      .first<{ ok: number }>()
      .then(
        (r) => r?.ok === 1,
        () => false,
      ),
    sandboxReachability(c.env),
  ]);
  const ok = d1 && sandbox.ok;
  return c.json({ ok, d1, sandbox, authMode: c.env.AUTH_MODE, busMode: c.env.BUS_MODE, time: Date.now() }, ok ? 200 : 503);
});
