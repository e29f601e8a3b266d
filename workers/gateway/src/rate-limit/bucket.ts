/** A token bucket: `capacity` tokens, refilled continuously at `capacity` per `windowMs`. */
export interface Bucket {
  tokens: number;
  updatedAt: number;
}

export interface TakeResult {
  ok: boolean;
  /** Tokens left after this request (floored). */
  remaining: number;
  /** When refused: whole seconds until one token is back (what `Retry-After` says). */
  retryAfterS: number;
}

export function take(bucket: Bucket | undefined, capacity: number, windowMs: number, now: number): { bucket: Bucket; result: TakeResult } {
  const perMs = capacity / windowMs;
  const start = bucket ?? { tokens: capacity, updatedAt: now };
  // A clock that went backwards must not mint tokens.
  const elapsed = Math.max(0, now - start.updatedAt);
  const tokens = Math.min(capacity, start.tokens + elapsed * perMs);
  if (tokens >= 1) {
    const left = tokens - 1;
    return { bucket: { tokens: left, updatedAt: now }, result: { ok: true, remaining: Math.floor(left), retryAfterS: 0 } };
  }
  const waitMs = (1 - tokens) / perMs;
  return { bucket: { tokens, updatedAt: now }, result: { ok: false, remaining: 0, retryAfterS: Math.max(1, Math.ceil(waitMs / 1000)) } };
}
