import { describe, expect, it } from "vitest";
import { AppError } from "@proximus/contracts";
import { CircuitBreaker, ResilientProvider, backoffDelay } from "./resilience";
import type { CompletionRequest, CompletionResult, LlmProvider } from "./types";
import type { UpstreamDetails } from "./upstream";

function clock(start = 1_000): { now: () => number; advance: (ms: number) => void } {
  let t = start;
  return { now: () => t, advance: (ms) => void (t += ms) };
}

const ok: CompletionResult = { provider: "openai", model: "m", text: "ok", inputTokens: 1, outputTokens: 1 };
const fail = (status: number): AppError =>
  new AppError(status === 429 ? "rate_limited" : "upstream_failed", `HTTP ${status}`, {
    provider: "openai",
    status,
    retryable: status === 429 || status >= 500,
  } satisfies UpstreamDetails);

/** A provider scripted call by call: each entry is a result, an error, or a function of the request. */
function scripted(
  steps: (CompletionResult | AppError | ((r: CompletionRequest) => Promise<CompletionResult>))[],
): LlmProvider & { calls: number } {
  const p = {
    name: "openai" as const,
    calls: 0,
    async complete(req: CompletionRequest): Promise<CompletionResult> {
      const step = steps[Math.min(p.calls, steps.length - 1)];
      p.calls++;
      if (step instanceof AppError) throw step;
      if (typeof step === "function") return step(req);
      if (!step) throw new Error("no step");
      return step;
    },
  };
  return p;
}
const noSleep = async (): Promise<void> => undefined;
const req: CompletionRequest = { model: "m", messages: [{ role: "user", content: "hi" }] };

describe("CircuitBreaker", () => {
  it("opens after the threshold, half-opens after openMs, closes on a good probe", () => {
    const c = clock();
    const b = new CircuitBreaker({ failureThreshold: 3, openMs: 10_000, now: c.now });
    expect(b.state).toBe("closed");
    b.onFailure();
    b.onFailure();
    expect(b.state).toBe("closed");
    b.onFailure();
    expect(b.state).toBe("open");
    expect(b.tryAcquire()).toBe(false);
    c.advance(9_999);
    expect(b.state).toBe("open");
    c.advance(1);
    expect(b.state).toBe("half-open");
    expect(b.tryAcquire()).toBe(true);
    // Only one probe at a time.
    expect(b.tryAcquire()).toBe(false);
    expect(b.canRequest()).toBe(false);
    b.onSuccess();
    expect(b.state).toBe("closed");
    expect(b.tryAcquire()).toBe(true);
  });

  it("re-opens for a full period when the half-open probe fails", () => {
    const c = clock();
    const b = new CircuitBreaker({ failureThreshold: 1, openMs: 1_000, now: c.now });
    b.onFailure();
    c.advance(1_000);
    expect(b.tryAcquire()).toBe(true);
    b.onFailure();
    expect(b.state).toBe("open");
    c.advance(999);
    expect(b.state).toBe("open");
    c.advance(1);
    expect(b.state).toBe("half-open");
  });

  it("a success resets the consecutive-failure count", () => {
    const b = new CircuitBreaker({ failureThreshold: 2 });
    b.onFailure();
    b.onSuccess();
    b.onFailure();
    expect(b.state).toBe("closed");
  });
});

describe("backoffDelay", () => {
  it("doubles per attempt, caps at maxDelayMs, and jitters within [cap/2, cap]", () => {
    expect([1, 2, 3, 4].map((a) => backoffDelay(a, { baseDelayMs: 100, maxDelayMs: 500 }, () => 1))).toEqual([100, 200, 400, 500]);
    expect([1, 2, 3, 4].map((a) => backoffDelay(a, { baseDelayMs: 100, maxDelayMs: 500 }, () => 0))).toEqual([50, 100, 200, 250]);
    for (let i = 0; i < 50; i++) {
      const d = backoffDelay(3, { baseDelayMs: 100 });
      expect(d).toBeGreaterThanOrEqual(200);
      expect(d).toBeLessThanOrEqual(400);
    }
  });
});

describe("ResilientProvider", () => {
  it("opens the breaker after repeated 5xx and then refuses without calling the vendor", async () => {
    const c = clock();
    const inner = scripted([fail(500)]);
    const p = new ResilientProvider(inner, {
      breaker: { failureThreshold: 3, openMs: 60_000, now: c.now },
      retry: { maxAttempts: 2 },
      sleep: noSleep,
    });
    await expect(p.complete(req)).rejects.toMatchObject({ code: "upstream_failed" });
    expect(inner.calls).toBe(2);
    // Third failure opens the circuit; the retry inside this call is refused by the breaker.
    const e = (await p.complete(req).catch((x: unknown) => x)) as AppError;
    expect(inner.calls).toBe(3);
    expect(e.details).toMatchObject({ breakerOpen: true });
    expect(p.isAvailable()).toBe(false);
    await expect(p.complete(req)).rejects.toMatchObject({ details: { breakerOpen: true } });
    expect(inner.calls).toBe(3);
  });

  it("half-open probe success closes the circuit again", async () => {
    const c = clock();
    const inner = scripted([fail(503), ok]);
    const p = new ResilientProvider(inner, {
      breaker: { failureThreshold: 1, openMs: 5_000, now: c.now },
      retry: { maxAttempts: 1 },
      sleep: noSleep,
    });
    await expect(p.complete(req)).rejects.toBeInstanceOf(AppError);
    expect(p.breaker.state).toBe("open");
    c.advance(5_000);
    expect(p.isAvailable()).toBe(true);
    expect((await p.complete(req)).text).toBe("ok");
    expect(p.breaker.state).toBe("closed");
  });

  it("does not count our own 400s against the provider's health", async () => {
    const inner = scripted([fail(400)]);
    const p = new ResilientProvider(inner, { breaker: { failureThreshold: 1 }, sleep: noSleep });
    await expect(p.complete(req)).rejects.toMatchObject({ details: { status: 400 } });
    expect(p.breaker.state).toBe("closed");
    expect(inner.calls).toBe(1);
  });

  it("counts 401 (bad key) toward opening the breaker but never retries it", async () => {
    const inner = scripted([fail(401)]);
    const p = new ResilientProvider(inner, { breaker: { failureThreshold: 1 }, sleep: noSleep });
    await expect(p.complete(req)).rejects.toBeInstanceOf(AppError);
    expect(inner.calls).toBe(1);
    expect(p.breaker.state).toBe("open");
  });

  it("does not retry once tokens were streamed (they cannot be taken back)", async () => {
    const inner = scripted([
      async (r) => {
        r.onToken?.("par");
        throw fail(502);
      },
      ok,
    ]);
    const seen: string[] = [];
    const p = new ResilientProvider(inner, { sleep: noSleep });
    const e = (await p.complete({ ...req, onToken: (t) => seen.push(t) }).catch((x: unknown) => x)) as AppError;
    expect(e.details).toMatchObject({ partial: true, status: 502 });
    expect(inner.calls).toBe(1);
    expect(seen).toEqual(["par"]);
  });

  it("stops at once, without retry, when the caller aborts", async () => {
    const ctrl = new AbortController();
    const inner = scripted([
      (r) =>
        new Promise<CompletionResult>((_res, rej) => {
          r.signal?.addEventListener("abort", () => rej(new DOMException("aborted", "AbortError")));
          setTimeout(() => ctrl.abort(), 5);
        }),
    ]);
    const p = new ResilientProvider(inner, { sleep: noSleep, timeoutMs: 5_000 });
    const e = (await p.complete({ ...req, signal: ctrl.signal }).catch((x: unknown) => x)) as AppError;
    expect(e.details).toMatchObject({ aborted: true });
    expect(inner.calls).toBe(1);
    expect(p.breaker.state).toBe("closed");
  });

  it("enforces the deadline even if the provider ignores its signal", async () => {
    const inner = scripted([() => new Promise<CompletionResult>(() => undefined)]);
    const p = new ResilientProvider(inner, { timeoutMs: 30, retry: { maxAttempts: 2 }, sleep: noSleep });
    const e = (await p.complete(req).catch((x: unknown) => x)) as AppError;
    expect(e.code).toBe("timeout");
    expect(inner.calls).toBe(2);
  });

  it("maps unknown thrown values to a retryable upstream_failed with a fixed message", async () => {
    const inner = scripted([async () => Promise.reject(new Error("socket hang up token=sk-abcdefghijklmnop"))]);
    const events: string[] = [];
    const p = new ResilientProvider(inner, { retry: { maxAttempts: 2 }, sleep: noSleep, onEvent: (e) => events.push(e.kind) });
    const e = (await p.complete(req).catch((x: unknown) => x)) as AppError;
    expect(e.code).toBe("upstream_failed");
    expect(e.message).not.toContain("sk-");
    expect(inner.calls).toBe(2);
    expect(events).toEqual(["failure", "retry", "failure"]);
  });
});
