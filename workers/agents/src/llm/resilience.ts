import { AppError, type ProviderName } from "@proximus/contracts";
import type { CompletionRequest, CompletionResult, LlmProvider } from "./types";
import type { ModelInfo } from "./catalog";
import { isAbortError, upstreamDetails, type UpstreamDetails } from "./upstream";

export type BreakerState = "closed" | "open" | "half-open";

export interface BreakerOptions {
  /** Consecutive health failures that open the circuit. */
  failureThreshold?: number;
  /** How long the circuit stays open before one probe is let through. */
  openMs?: number;
  now?: () => number;
}

/**
 * Per-provider circuit breaker. State lives in the isolate's memory: a Worker isolate serves many
 * tasks, so a dead vendor is skipped quickly without sharing state through storage.
 */
export class CircuitBreaker {
  private failures = 0;
  private openedAt: number | null = null;
  private probeInFlight = false;
  private readonly threshold: number;
  private readonly openMs: number;
  private readonly now: () => number;

  constructor(opts: BreakerOptions = {}) {
    this.threshold = opts.failureThreshold ?? 5;
    this.openMs = opts.openMs ?? 30_000;
    this.now = opts.now ?? Date.now;
  }

  get state(): BreakerState {
    if (this.openedAt === null) return "closed";
    return this.now() - this.openedAt >= this.openMs ? "half-open" : "open";
  }

  /** Would a call be let through now? Does not reserve the half-open probe. */
  canRequest(): boolean {
    const s = this.state;
    return s === "closed" || (s === "half-open" && !this.probeInFlight);
  }

  /** Reserves permission for one call; in half-open only a single probe may be in flight. */
  tryAcquire(): boolean {
    const s = this.state;
    if (s === "closed") return true;
    if (s === "open" || this.probeInFlight) return false;
    this.probeInFlight = true;
    return true;
  }

  onSuccess(): void {
    this.failures = 0;
    this.openedAt = null;
    this.probeInFlight = false;
  }

  onFailure(): void {
    this.probeInFlight = false;
    if (this.openedAt !== null) {
      // A failed half-open probe re-opens for a full period.
      this.openedAt = this.now();
      return;
    }
    this.failures += 1;
    if (this.failures >= this.threshold) this.openedAt = this.now();
  }

  /** The call ended in a way that says nothing about the provider's health (our bad request, caller abort). */
  onNeutral(): void {
    this.probeInFlight = false;
  }
}

export interface RetryOptions {
  /** Total attempts including the first. */
  maxAttempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** A `retry-after` longer than this is not waited for: the router tries another provider instead. */
  maxRetryAfterMs?: number;
}

/** Exponential backoff with "equal jitter": half fixed, half random, so retries never bunch at zero. */
export function backoffDelay(attempt: number, opts: RetryOptions = {}, random: () => number = Math.random): number {
  const base = opts.baseDelayMs ?? 500;
  const max = opts.maxDelayMs ?? 8_000;
  const cap = Math.min(max, base * 2 ** Math.max(0, attempt - 1));
  return cap / 2 + random() * (cap / 2);
}

export interface ResilienceOptions {
  timeoutMs?: number;
  retry?: RetryOptions;
  breaker?: CircuitBreaker | BreakerOptions;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  random?: () => number;
  /** Observability hook; receives only codes and numbers, never request content or secrets. */
  onEvent?: (e: ResilienceEvent) => void;
}

export type ResilienceEvent =
  | { kind: "retry"; provider: ProviderName; attempt: number; delayMs: number; code: string; status?: number }
  | { kind: "breaker_rejected"; provider: ProviderName }
  | { kind: "failure"; provider: ProviderName; code: string; status?: number };

export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason instanceof Error ? signal.reason : new DOMException("aborted", "AbortError"));
      return;
    }
    const t = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(t);
      reject(new DOMException("aborted", "AbortError"));
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** Counts toward opening the breaker: the provider (not our request) looks unhealthy. */
function isHealthFailure(d: UpstreamDetails | undefined): boolean {
  if (!d) return true;
  if (d.aborted) return false;
  if (d.retryable) return true;
  // Bad credentials will not fix themselves: stop hammering.
  return d.status === 401 || d.status === 403;
}

/**
 * Wraps a provider with a per-attempt timeout, retries with backoff on 429/5xx/network/timeout
 * (honouring retry-after), and a circuit breaker. Errors stay `AppError`s with `UpstreamDetails`.
 */
export class ResilientProvider implements LlmProvider {
  readonly name: ProviderName;
  readonly breaker: CircuitBreaker;
  private readonly timeoutMs: number;
  private readonly retry: Required<RetryOptions>;
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  private readonly random: () => number;
  private readonly onEvent: (e: ResilienceEvent) => void;

  constructor(
    private readonly inner: LlmProvider,
    opts: ResilienceOptions = {},
  ) {
    this.name = inner.name;
    this.breaker = opts.breaker instanceof CircuitBreaker ? opts.breaker : new CircuitBreaker(opts.breaker);
    this.timeoutMs = opts.timeoutMs ?? 120_000;
    this.retry = {
      maxAttempts: opts.retry?.maxAttempts ?? 3,
      baseDelayMs: opts.retry?.baseDelayMs ?? 500,
      maxDelayMs: opts.retry?.maxDelayMs ?? 8_000,
      maxRetryAfterMs: opts.retry?.maxRetryAfterMs ?? 30_000,
    };
    this.sleep = opts.sleep ?? abortableSleep;
    this.random = opts.random ?? Math.random;
    this.onEvent = opts.onEvent ?? (() => undefined);
  }

  isAvailable(): boolean {
    return this.breaker.canRequest();
  }

  /** The wrapped provider's own model list (a local OpenAI-compatible server's), for the router. */
  get models(): readonly ModelInfo[] | undefined {
    return (this.inner as { models?: readonly ModelInfo[] }).models;
  }

  async complete(req: CompletionRequest): Promise<CompletionResult> {
    for (let attempt = 1; ; attempt++) {
      if (!this.breaker.tryAcquire()) {
        this.onEvent({ kind: "breaker_rejected", provider: this.name });
        throw new AppError("upstream_failed", `${this.name} is temporarily disabled after repeated failures`, {
          provider: this.name,
          retryable: false,
          breakerOpen: true,
        } satisfies UpstreamDetails);
      }
      // An object, not a `let`: TypeScript would narrow a boolean mutated only inside a closure.
      const progress = { streamed: false };
      const onToken = req.onToken;
      const attemptReq: CompletionRequest = {
        ...req,
        ...(onToken
          ? {
              onToken: (d: string) => {
                progress.streamed = true;
                onToken(d);
              },
            }
          : {}),
      };
      let err: AppError;
      try {
        const result = await this.withTimeout(attemptReq);
        this.breaker.onSuccess();
        return result;
      } catch (e) {
        err = this.normalize(e, req.signal);
      }
      const d = upstreamDetails(err);
      if (isHealthFailure(d)) this.breaker.onFailure();
      else this.breaker.onNeutral();
      this.onEvent({ kind: "failure", provider: this.name, code: err.code, ...(d?.status === undefined ? {} : { status: d.status }) });

      // Tokens already shown cannot be taken back; a retry would show them twice.
      if (progress.streamed && d) d.partial = true;
      if (!d?.retryable || progress.streamed || attempt >= this.retry.maxAttempts) throw err;
      if (d.retryAfterMs !== undefined && d.retryAfterMs > this.retry.maxRetryAfterMs) throw err;
      const delayMs = d.retryAfterMs ?? backoffDelay(attempt, this.retry, this.random);
      this.onEvent({
        kind: "retry",
        provider: this.name,
        attempt,
        delayMs,
        code: err.code,
        ...(d.status === undefined ? {} : { status: d.status }),
      });
      try {
        await this.sleep(delayMs, req.signal);
      } catch {
        throw this.aborted();
      }
    }
  }

  private aborted(): AppError {
    return new AppError("upstream_failed", `${this.name} request was aborted`, {
      provider: this.name,
      retryable: false,
      aborted: true,
    } satisfies UpstreamDetails);
  }

  private normalize(e: unknown, callerSignal: AbortSignal | undefined): AppError {
    if (callerSignal?.aborted) return this.aborted();
    if (e instanceof AppError) return e;
    if (isAbortError(e)) return this.aborted();
    return new AppError("upstream_failed", `${this.name} request failed`, {
      provider: this.name,
      retryable: true,
    } satisfies UpstreamDetails);
  }

  /** One attempt under its own deadline, also cancelled when the caller's signal aborts. */
  private async withTimeout(req: CompletionRequest): Promise<CompletionResult> {
    const ctrl = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      ctrl.abort(new DOMException("timed out", "TimeoutError"));
    }, this.timeoutMs);
    const outer = req.signal;
    const onOuterAbort = (): void => ctrl.abort(outer?.reason);
    if (outer?.aborted) ctrl.abort(outer.reason);
    else outer?.addEventListener("abort", onOuterAbort, { once: true });
    try {
      // Race so that a provider which ignores the signal still cannot hang past the deadline.
      return await new Promise<CompletionResult>((resolve, reject) => {
        if (ctrl.signal.aborted) {
          reject(new DOMException("aborted", "AbortError"));
          return;
        }
        ctrl.signal.addEventListener("abort", () => reject(new DOMException("aborted", "AbortError")), { once: true });
        this.inner.complete({ ...req, signal: ctrl.signal }).then(resolve, reject);
      });
    } catch (e) {
      if (timedOut && !outer?.aborted) {
        throw new AppError("timeout", `${this.name} did not answer within ${this.timeoutMs} ms`, {
          provider: this.name,
          retryable: true,
        } satisfies UpstreamDetails);
      }
      throw e;
    } finally {
      clearTimeout(timer);
      outer?.removeEventListener("abort", onOuterAbort);
    }
  }
}
