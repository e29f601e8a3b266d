import { AppError, type ProviderName } from "@proximus/contracts";

/**
 * What every provider attaches to the AppError it throws, so the resilience layer and the router
 * can decide (retry? count against the breaker? fall back?) without parsing messages.
 */
export interface UpstreamDetails {
  provider: ProviderName;
  status?: number;
  /** Worth trying the same provider again (429, 5xx, network, timeout). */
  retryable: boolean;
  /** Server-requested wait from `retry-after` / `retry-after-ms`. */
  retryAfterMs?: number;
  /** The caller's own signal aborted: nobody wants the answer any more, so no retry, no fallback. */
  aborted?: boolean;
  /** Tokens were already streamed to the caller before the failure. */
  partial?: boolean;
  /** The provider's circuit breaker refused the call. */
  breakerOpen?: boolean;
}

const MAX_VENDOR_MESSAGE = 300;

/** Key shapes worth scrubbing even when the exact secret is not known to us (e.g. echoed by a proxy). */
const SECRET_PATTERNS: RegExp[] = [
  /sk-[A-Za-z0-9_-]{8,}/g,
  /\bA(?:KIA|SIA)[0-9A-Z]{12,}\b/g,
  /AIza[0-9A-Za-z_-]{20,}/g,
  /Bearer\s+[^\s"']+/gi,
  /Signature=[0-9a-f]{16,}/gi,
];

/** Vendors sometimes echo credentials in error text; nothing we surface may contain them. */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) {
    if (s.length >= 4) out = out.split(s).join("[redacted]");
  }
  for (const p of SECRET_PATTERNS) out = out.replace(p, "[redacted]");
  return out;
}

/** `retry-after-ms` (OpenAI, Anthropic) wins over `retry-after` (seconds or an HTTP date). */
export function parseRetryAfter(headers: Headers | undefined, nowMs: number): number | undefined {
  if (!headers) return undefined;
  const ms = headers.get("retry-after-ms");
  if (ms !== null && /^\d+(\.\d+)?$/.test(ms.trim())) return Math.round(Number(ms));
  const ra = headers.get("retry-after");
  if (ra === null) return undefined;
  const v = ra.trim();
  if (/^\d+(\.\d+)?$/.test(v)) return Math.round(Number(v) * 1000);
  const date = Date.parse(v);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - nowMs);
}

function vendorMessage(body: unknown): string | undefined {
  if (typeof body === "string") {
    try {
      return vendorMessage(JSON.parse(body) as unknown);
    } catch {
      return body.trim() || undefined;
    }
  }
  if (body && typeof body === "object") {
    const o = body as Record<string, unknown>;
    if (typeof o.message === "string") return o.message;
    if (typeof o.Message === "string") return o.Message;
    if (o.error !== undefined) return vendorMessage(o.error);
  }
  return undefined;
}

/** Maps a non-2xx vendor response to the shared error codes. */
export function httpError(
  provider: ProviderName,
  status: number,
  headers: Headers | undefined,
  body: unknown,
  secrets: readonly string[],
  nowMs: number = Date.now(),
): AppError {
  const raw = vendorMessage(body) ?? "";
  const msg = redact(raw, secrets).slice(0, MAX_VENDOR_MESSAGE);
  const suffix = msg ? `: ${msg}` : "";
  if (status === 429) {
    const retryAfterMs = parseRetryAfter(headers, nowMs);
    const details: UpstreamDetails = { provider, status, retryable: true, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) };
    return new AppError("rate_limited", `${provider} rate limited the request (HTTP 429)${suffix}`, details);
  }
  if (status === 408) {
    return new AppError("timeout", `${provider} timed out (HTTP 408)${suffix}`, {
      provider,
      status,
      retryable: true,
    } satisfies UpstreamDetails);
  }
  const retryable = status >= 500;
  const details: UpstreamDetails = { provider, status, retryable };
  if (retryable) {
    const retryAfterMs = parseRetryAfter(headers, nowMs);
    if (retryAfterMs !== undefined) details.retryAfterMs = retryAfterMs;
  }
  return new AppError("upstream_failed", `${provider} returned HTTP ${status}${suffix}`, details);
}

export function isAbortError(err: unknown): boolean {
  if (!err || typeof err !== "object") return false;
  const name = (err as { name?: unknown }).name;
  return name === "AbortError" || name === "APIUserAbortError" || name === "TimeoutError";
}

/** Any failure that is not an HTTP status: connection refused, reset, DNS, a broken stream. */
export function transportError(provider: ProviderName, err: unknown, secrets: readonly string[], signal?: AbortSignal): AppError {
  if (err instanceof AppError) return err;
  if (signal?.aborted || isAbortError(err)) {
    return new AppError("upstream_failed", `${provider} request was aborted`, {
      provider,
      retryable: false,
      aborted: true,
    } satisfies UpstreamDetails);
  }
  const text = err instanceof Error ? err.message : String(err);
  return new AppError("upstream_failed", `${provider} request failed: ${redact(text, secrets).slice(0, MAX_VENDOR_MESSAGE)}`, {
    provider,
    retryable: true,
  } satisfies UpstreamDetails);
}

/** A 200 whose body is not what the protocol promises. Not retryable: the same request gets the same answer. */
export function protocolError(provider: ProviderName, what: string): AppError {
  return new AppError("upstream_failed", `${provider} sent an unexpected response: ${what}`, {
    provider,
    retryable: false,
  } satisfies UpstreamDetails);
}

export function upstreamDetails(err: unknown): UpstreamDetails | undefined {
  if (!(err instanceof AppError)) return undefined;
  const d = err.details;
  if (d && typeof d === "object" && "provider" in d && "retryable" in d) return d as UpstreamDetails;
  return undefined;
}

/**
 * SDK errors (openai, @anthropic-ai/sdk) carry `status` + `headers` + the parsed body in `error`.
 * Duck-typed so we do not depend on either SDK's class identity.
 */
export function fromSdkError(provider: ProviderName, err: unknown, secrets: readonly string[], signal?: AbortSignal): AppError {
  if (err instanceof AppError) return err;
  if (err && typeof err === "object") {
    const e = err as { status?: unknown; headers?: unknown; error?: unknown; message?: unknown };
    if (typeof e.status === "number") {
      const headers = e.headers instanceof Headers ? e.headers : undefined;
      return httpError(provider, e.status, headers, e.error ?? e.message, secrets);
    }
  }
  return transportError(provider, err, secrets, signal);
}
