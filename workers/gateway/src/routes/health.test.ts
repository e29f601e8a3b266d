import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { agentsHealth } from "@proximus/agents/health";
import { health } from "./health";
import { probeSandboxCached } from "@proximus/shared/sandbox-probe";

type Health = { ok: boolean; d1: boolean; sandbox: { ok: boolean; isolation: string | null; error?: string } };

/** The real sandbox host of this suite (global setup), its secret, and a port nothing listens on. */
const sandboxEnv = env as Env & { SANDBOX_SECRET?: string };
const DEAD_URL = "http://127.0.0.1:1";

async function healthWith(overrides: Partial<Record<string, unknown>>): Promise<{ status: number; body: Health }> {
  const res = await health.request("/health", {}, { ...env, ...overrides });
  return { status: res.status, body: await res.json<Health>() };
}

/**
 * The agents Worker's /health handler with its own env, standing where the AGENTS service binding
 * would deliver (the whole chain over real bindings runs in scripts/dev-supervisor.test.ts).
 */
function agentsBinding(overrides: { SANDBOX_URL?: string; SANDBOX_SECRET?: string }): Fetcher {
  const agentsEnv = { SANDBOX_URL: env.SANDBOX_URL, SANDBOX_SECRET: sandboxEnv.SANDBOX_SECRET, BUS_MODE: "kafka-rest", ...overrides };
  return {
    fetch: () => agentsHealth(agentsEnv),
    connect: () => {
      throw new Error("not used");
    },
  } as unknown as Fetcher;
}

describe("GET /health reports the sandbox", () => {
  it("inline mode: probes the sandbox host itself (reachable, signature accepted, isolation)", async () => {
    const { status, body } = await healthWith({});
    expect(status).toBe(200);
    expect(body).toMatchObject({ ok: true, d1: true, sandbox: { ok: true, isolation: "gvisor" } });
    expect(body.sandbox.error).toBeUndefined();
  });

  it("a host that is down makes the whole health 503, saying why", async () => {
    const { status, body } = await healthWith({ SANDBOX_URL: DEAD_URL });
    expect(status).toBe(503);
    expect(body.ok).toBe(false);
    expect(body.d1).toBe(true);
    expect(body.sandbox).toMatchObject({ ok: false, isolation: null });
    expect(body.sandbox.error).toMatch(/^sandbox-host unreachable: /);
    // /health is public: the host's address is not part of the answer.
    expect(body.sandbox.error).not.toContain("127.0.0.1");
  });

  it("a host that refuses our secret is not ok either", async () => {
    const { status, body } = await healthWith({ SANDBOX_SECRET: "not-the-hosts-secret" });
    expect(status).toBe(503);
    expect(body.sandbox).toMatchObject({ ok: false, isolation: "gvisor" });
    expect(body.sandbox.error).toContain("SANDBOX_SECRET is not the host's secret");
  });

  it("no sandbox configured is reported, not hidden", async () => {
    const { status, body } = await healthWith({ SANDBOX_URL: "" });
    expect(status).toBe(503);
    expect(body.sandbox).toEqual({ ok: false, isolation: null, error: "not configured: SANDBOX_URL is empty" });
  });

  it("bus mode: asks the agents Worker, which probes with its own SANDBOX_URL/SANDBOX_SECRET", async () => {
    const up = await healthWith({ BUS_MODE: "kafka-rest", SANDBOX_URL: "", AGENTS: agentsBinding({}) });
    expect(up.status).toBe(200);
    expect(up.body.sandbox).toEqual({ ok: true, isolation: "gvisor" });

    const down = await healthWith({ BUS_MODE: "kafka-rest", AGENTS: agentsBinding({ SANDBOX_URL: DEAD_URL }) });
    expect(down.status).toBe(503);
    expect(down.body.sandbox.error).toContain("sandbox-host unreachable");
  });

  it("bus mode: an agents Worker that answers without a report is not ok", async () => {
    // This suite's AGENTS binding is a placeholder Worker answering 503 in plain text.
    const { status, body } = await healthWith({ BUS_MODE: "kafka-rest" });
    expect(status).toBe(503);
    expect(body.sandbox).toEqual({
      ok: false,
      isolation: null,
      error: "the agents Worker's /health answered HTTP 503 without a sandbox report",
    });
  });

  it("the agents Worker's /health answers 503 with the reason when its sandbox is down", async () => {
    const res = await agentsBinding({ SANDBOX_URL: DEAD_URL }).fetch("https://agents.internal/health");
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ ok: false, sandbox: { ok: false, isolation: null } });
    const ok = await agentsBinding({ SANDBOX_SECRET: sandboxEnv.SANDBOX_SECRET }).fetch("https://agents.internal/health");
    expect(ok.status).toBe(200);
  });

  it("a flood of /health calls reaches the host once per 2 s, not once per call", async () => {
    let requests = 0;
    const counting: typeof fetch = (input, init) => {
      requests++;
      return fetch(input, init);
    };
    // Its own secret spelling, so no other test's cached answer is reused.
    const probeEnv = { SANDBOX_URL: env.SANDBOX_URL, SANDBOX_SECRET: `${sandboxEnv.SANDBOX_SECRET} ` };
    const t0 = Date.now();
    const answers = await Promise.all([0, 10, 500, 1_999].map((dt) => probeSandboxCached(probeEnv, t0 + dt, counting)));
    expect(requests).toBe(2); // the host's /health and one signed request
    expect(new Set(answers.map((a) => a.ok)).size).toBe(1);
    await probeSandboxCached(probeEnv, t0 + 2_000, counting);
    expect(requests).toBe(4);
  });
});
