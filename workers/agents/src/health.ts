import { probeSandboxCached, type SandboxProbeEnv } from "@proximus/shared/sandbox-probe";

/**
 * The agents Worker's /health. It holds SANDBOX_URL/SANDBOX_SECRET (QA runs here), so it answers
 * for the sandbox; the gateway's /health asks here over the AGENTS service binding.
 */
export async function agentsHealth(env: SandboxProbeEnv & { BUS_MODE: string }): Promise<Response> {
  const sandbox = await probeSandboxCached(env);
  return Response.json({ ok: sandbox.ok, busMode: env.BUS_MODE, sandbox }, { status: sandbox.ok ? 200 : 503 });
}
