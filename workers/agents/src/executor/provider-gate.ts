import type { ProviderSet } from "../llm/registry";
import type { LlmProvider } from "../llm/types";
import { upstreamDetails } from "../llm/upstream";

/** The deployment-wide pace of calls per LLM provider (the TaskLimiterDO's token buckets). */
export interface ProviderGate {
  /** `waitMs` 0 = call now, otherwise wait this long and ask again; `paced` false = no rate configured. */
  token(provider: string): Promise<{ waitMs: number; paced: boolean }>;
  /** A vendor said 429 with retry-after: hold every executor off that provider until then. */
  throttled(provider: string, retryAfterMs: number): Promise<void>;
}

/** Longer than this and the call fails as rate limited instead of holding the task. */
const MAX_WAIT_MS = 120_000;
/**
 * Without a configured rate only a 429's retry-after can hold a provider, so an isolate that just
 * heard "go" does not ask again for this long: one limiter round trip a second, not one per call.
 */
const UNPACED_RECHECK_MS = 1_000;

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const t = setTimeout(resolve, ms);
    signal?.addEventListener("abort", () => (clearTimeout(t), reject(signal.reason)), { once: true });
  });

/**
 * Every vendor call takes a token from its provider's bucket first, and a 429's retry-after is
 * shared with every other executor; the offline provider is not paced. The providers keep every
 * other property (the router reads their models and circuit breakers).
 */
export function gateProviders(set: ProviderSet, gate: ProviderGate, now: () => number = Date.now): ProviderSet {
  const out: ProviderSet = {};
  for (const [name, provider] of Object.entries(set) as [keyof ProviderSet, LlmProvider][]) {
    out[name] = name === "offline" ? provider : gated(provider, gate, now);
  }
  return out;
}

function gated<T extends LlmProvider>(provider: T, gate: ProviderGate, now: () => number): T {
  let freeUntil = 0;
  const complete: LlmProvider["complete"] = async (req) => {
    let waited = 0;
    while (now() >= freeUntil) {
      const { waitMs, paced } = await gate.token(provider.name);
      if (waitMs <= 0) {
        if (!paced) freeUntil = now() + UNPACED_RECHECK_MS;
        break;
      }
      if (waited + waitMs > MAX_WAIT_MS) break;
      await sleep(waitMs, req.signal);
      waited += waitMs;
    }
    try {
      return await provider.complete(req);
    } catch (err) {
      const d = upstreamDetails(err);
      if (d?.status === 429 && d.retryAfterMs !== undefined) {
        freeUntil = 0;
        await gate.throttled(provider.name, d.retryAfterMs).catch(() => undefined);
      }
      throw err;
    }
  };
  return new Proxy(provider, { get: (target, prop, receiver) => (prop === "complete" ? complete : Reflect.get(target, prop, receiver)) });
}

/** What the gate needs of the TaskLimiterDO namespace (structural, so Worker-less programs can type it too). */
export interface LimiterNamespace {
  getByName(name: string): {
    providerToken(provider: string): Promise<{ waitMs: number; paced: boolean }>;
    providerThrottled(provider: string, retryAfterMs: number): Promise<void>;
  };
}

/** The gate over the agents Worker's TaskLimiterDO; without one (the gateway's inline mode) calls are not paced. */
export function limiterGate(ns: LimiterNamespace | undefined): ProviderGate | null {
  if (!ns) return null;
  // A stub per call: the providers outlive the request that created them (they are cached per
  // isolate), and a Durable Object stub cannot be used from another request's context.
  const limiter = () => ns.getByName("limits");
  return { token: (p) => limiter().providerToken(p), throttled: (p, ms) => limiter().providerThrottled(p, ms) };
}
