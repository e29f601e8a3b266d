import { z } from "zod";

/**
 * SaaS mode's access token, held in memory only (never localStorage: a script injected into the
 * page must not find a long-lived credential to carry away). The refresh token is an HttpOnly
 * cookie the page never sees; `POST /auth/refresh` rotates it and returns a fresh access token.
 *
 * Rotation is why refreshes must not overlap: presenting an already-rotated refresh token counts
 * as theft and revokes the whole session family. So one tab never runs two refreshes at once
 * (concurrent callers share one promise), and tabs take turns through a cross-tab lock.
 */

export const RefreshResponse = z.object({
  accessToken: z.string().min(1),
  expiresIn: z.number().positive(),
  user: z.object({ id: z.string(), email: z.string().nullable().optional(), name: z.string().nullable().optional() }),
});
export type RefreshResponse = z.infer<typeof RefreshResponse>;
export type SessionUser = RefreshResponse["user"];

/** The session is over (refresh refused): the user has to sign in again. */
export class SignedOutError extends Error {
  constructor(message = "signed out") {
    super(message);
    this.name = "SignedOutError";
  }
}

export interface TokenManagerDeps {
  /** POST /auth/refresh: a parsed body, SignedOutError when the server refuses, any other error when it cannot be reached. */
  refresh(): Promise<RefreshResponse>;
  /** Runs `fn` while holding the cross-tab refresh lock. */
  withLock<T>(fn: () => Promise<T>): Promise<T>;
  fetch(input: string, init: RequestInit): Promise<Response>;
  now(): number;
  setTimer(fn: () => void, ms: number): unknown;
  clearTimer(handle: unknown): void;
  /** Called once when the session ends by itself (refresh refused, or still 401 after a refresh). */
  onSignedOut(): void;
}

/** Refresh this long before expiry: a minute, or a fifth of the lifetime for short-lived tokens. */
export function refreshLeadMs(ttlMs: number): number {
  return Math.min(60_000, Math.floor(ttlMs / 5));
}

export class TokenManager {
  private access: { token: string; expiresAt: number; refreshAt: number } | null = null;
  private inFlight: Promise<string> | null = null;
  private timer: unknown = null;
  private signedOut = false;
  private currentUser: SessionUser | null = null;

  constructor(private readonly deps: TokenManagerDeps) {}

  get user(): SessionUser | null {
    return this.currentUser;
  }

  /** The current access token if it is still usable, without refreshing. */
  peek(): string | null {
    return this.access && this.deps.now() < this.access.expiresAt ? this.access.token : null;
  }

  /** A usable access token, refreshing first when there is none or it is about to expire. */
  async token(): Promise<string> {
    if (this.access && this.deps.now() < this.access.refreshAt) return this.access.token;
    return this.refresh();
  }

  /** Exchanges the refresh cookie for a new access token. Concurrent callers share one exchange. */
  refresh(): Promise<string> {
    if (this.inFlight) return this.inFlight;
    const run = this.deps
      .withLock(() => this.deps.refresh())
      .then(
        (r) => {
          this.accept(r);
          return r.accessToken;
        },
        (err: unknown) => {
          if (err instanceof SignedOutError) this.end();
          throw err;
        },
      )
      .finally(() => {
        if (this.inFlight === run) this.inFlight = null;
      });
    this.inFlight = run;
    return run;
  }

  /**
   * fetch with `Authorization: Bearer`. A 401 gets one refresh and one retry; a second 401 ends
   * the session. If another caller refreshed while this request was out, its new token is reused
   * instead of refreshing again.
   */
  async fetch(input: string, init: RequestInit = {}): Promise<Response> {
    const used = await this.token();
    const res = await this.deps.fetch(input, withBearer(init, used));
    if (res.status !== 401) return res;
    const current = this.peek();
    const fresh = current && current !== used ? current : await this.refresh();
    const retry = await this.deps.fetch(input, withBearer(init, fresh));
    if (retry.status === 401) this.end();
    return retry;
  }

  /** Forgets the token (after logout) without reporting a session end. */
  clear(): void {
    this.access = null;
    this.currentUser = null;
    this.cancelTimer();
  }

  private accept(r: RefreshResponse): void {
    const now = this.deps.now();
    const ttl = r.expiresIn * 1000;
    this.signedOut = false;
    this.currentUser = r.user;
    this.access = { token: r.accessToken, expiresAt: now + ttl, refreshAt: now + ttl - refreshLeadMs(ttl) };
    this.cancelTimer();
    // Refresh ahead of expiry so requests and socket tickets never wait on it. Errors here are
    // not lost: the next request refreshes again and reports them.
    this.timer = this.deps.setTimer(
      () => {
        this.timer = null;
        this.refresh().catch(() => undefined);
      },
      ttl - refreshLeadMs(ttl),
    );
  }

  private end(): void {
    this.clear();
    if (this.signedOut) return;
    this.signedOut = true;
    this.deps.onSignedOut();
  }

  private cancelTimer(): void {
    if (this.timer !== null) this.deps.clearTimer(this.timer);
    this.timer = null;
  }
}

function withBearer(init: RequestInit, token: string): RequestInit {
  const headers = new Headers(init.headers);
  headers.set("authorization", `Bearer ${token}`);
  return { ...init, headers };
}
