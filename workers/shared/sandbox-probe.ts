import { z } from "zod";
import { ErrorEnvelope } from "@proximus/contracts/errors";
import { Isolation, SandboxHealth, signRequest } from "@proximus/contracts/sandbox";

/** What a /health answer says about the sandbox host: usable or not, its isolation, and why not. */
export const SandboxReachability = z.object({
  ok: z.boolean(),
  isolation: Isolation.nullable(),
  error: z.string().optional(),
});
export type SandboxReachability = z.infer<typeof SandboxReachability>;

export type SandboxProbeEnv = { SANDBOX_URL?: string; SANDBOX_SECRET?: string };

const PROBE_TIMEOUT_MS = 3_000;
/** Never a valid run request (a run is an object), so the host checks the signature and runs nothing. */
const NOT_A_RUN = "[]";

const down = (error: string, isolation: Isolation | null = null): SandboxReachability => ({ ok: false, isolation, error });
const reason = (err: unknown) => (err instanceof Error ? err.message : String(err));

async function readHealth(url: string, fetchFn: typeof fetch): Promise<SandboxHealth | string> {
  const res = await fetchFn(new URL("/health", url).toString(), { signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) });
  if (!res.ok) {
    await res.body?.cancel();
    return `sandbox-host /health answered HTTP ${res.status}`;
  }
  const parsed = SandboxHealth.safeParse(await res.json().catch(() => null));
  return parsed.success ? parsed.data : "sandbox-host /health answered with an unexpected body";
}

/**
 * The host's /health is unsigned, so it cannot tell whether our secret is the host's. A signed
 * request it must refuse for its body proves the signature was accepted: 400 validation_failed
 * means "signature fine", 401 means the secrets differ (every QA run would fail the same way).
 */
async function checkSignature(url: string, secret: string, fetchFn: typeof fetch): Promise<string | null> {
  const path = "/v1/runs";
  const headers = await signRequest(secret, "POST", path, NOT_A_RUN);
  const res = await fetchFn(new URL(path, url).toString(), {
    method: "POST",
    headers: { ...headers, "content-type": "application/json" },
    body: NOT_A_RUN,
    signal: AbortSignal.timeout(PROBE_TIMEOUT_MS),
  });
  const envelope = ErrorEnvelope.safeParse(await res.json().catch(() => null));
  const code = envelope.success ? envelope.data.error.code : null;
  if (res.status === 400 && code === "validation_failed") return null;
  if (code === "unauthorized") return "sandbox-host refused our signature: SANDBOX_SECRET is not the host's secret";
  return `sandbox-host answered a signed request with HTTP ${res.status}${code ? ` (${code})` : ""}`;
}

/**
 * /health is public: without this, every unauthenticated call would make us send the host two
 * requests (one signed, whose nonce the host must remember). Per isolate and configuration.
 */
const CACHE_MS = 2_000;
const cache = new Map<string, { at: number; result: Promise<SandboxReachability> }>();

/** Like probeSandbox, answering repeated calls within CACHE_MS from the last probe. */
export function probeSandboxCached(env: SandboxProbeEnv, now = Date.now(), fetchFn?: typeof fetch): Promise<SandboxReachability> {
  const key = `${env.SANDBOX_URL ?? ""}\n${env.SANDBOX_SECRET ?? ""}`;
  const hit = cache.get(key);
  if (hit && now - hit.at < CACHE_MS) return hit.result;
  if (cache.size > 16) cache.clear();
  const result = probeSandbox(env, fetchFn);
  cache.set(key, { at: now, result });
  return result;
}

/**
 * Reachability of the configured sandbox host, as /health reports it. Never throws. Errors do not
 * name the host's address: /health is public, the sandbox host's address need not be.
 */
export async function probeSandbox(
  env: SandboxProbeEnv,
  fetchFn: typeof fetch = (i, init) => fetch(i, init),
): Promise<SandboxReachability> {
  if (!env.SANDBOX_URL) return down("not configured: SANDBOX_URL is empty");
  if (!env.SANDBOX_SECRET) return down("not configured: SANDBOX_SECRET is empty");
  const url = env.SANDBOX_URL;
  const secret = env.SANDBOX_SECRET;
  try {
    const [health, signature] = await Promise.all([readHealth(url, fetchFn), checkSignature(url, secret, fetchFn)]);
    if (typeof health === "string") return down(health);
    if (signature) return down(signature, health.isolation);
    if (!health.ok) return down("sandbox-host reports it is not ok", health.isolation);
    return { ok: true, isolation: health.isolation };
  } catch (err) {
    return down(`sandbox-host unreachable: ${reason(err)}`);
  }
}
