import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { refreshLock, type LockManagerLike } from "./refreshLock";
import { refreshLeadMs, SignedOutError, TokenManager, type RefreshResponse } from "./tokenManager";

/**
 * The gateway's token endpoints as a fake with the rules that matter here: /auth/refresh rotates
 * the cookie and mints a new access token; presenting a rotated cookie again revokes the family
 * (every later refresh is refused); /api/* accepts only an unexpired, current-family token.
 */
class FakeGateway {
  cookie = "rt1";
  private rotated = new Set<string>();
  private revoked = false;
  private n = 0;
  readonly valid = new Map<string, number>();
  refreshes = 0;
  ttlS = 900;
  latencyMs = 10;

  async refresh(presented = this.cookie): Promise<RefreshResponse> {
    this.refreshes += 1;
    await new Promise((r) => setTimeout(r, this.latencyMs));
    if (this.revoked || this.rotated.has(presented)) {
      this.revoked = true;
      this.valid.clear();
      throw new SignedOutError("refresh token reused");
    }
    this.rotated.add(presented);
    this.cookie = `rt${++this.n + 1}`;
    const token = `at${this.n}`;
    this.valid.set(token, Date.now() + this.ttlS * 1000);
    return { accessToken: token, expiresIn: this.ttlS, user: { id: "u1", email: "a@example.test" } };
  }

  /** Revokes an access token early (key rotation, say): the next call with it gets 401. */
  invalidate(token: string): void {
    this.valid.delete(token);
  }

  readonly seen: (string | null)[] = [];
  async api(_url: string, init: RequestInit): Promise<Response> {
    const auth = new Headers(init.headers).get("authorization");
    const token = auth?.replace(/^Bearer /, "") ?? null;
    this.seen.push(token);
    await new Promise((r) => setTimeout(r, 1));
    const exp = token ? this.valid.get(token) : undefined;
    return new Response(exp !== undefined && Date.now() < exp ? "{}" : '{"error":{"code":"unauthorized","message":"x"}}', {
      status: exp !== undefined && Date.now() < exp ? 200 : 401,
    });
  }
}

function manager(gw: FakeGateway, withLock = refreshLock(undefined)) {
  const signedOut = vi.fn();
  const tm = new TokenManager({
    refresh: () => gw.refresh(),
    withLock,
    fetch: (u, i) => gw.api(u, i),
    now: () => Date.now(),
    setTimer: (fn, ms) => setTimeout(fn, ms),
    clearTimer: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
    onSignedOut: signedOut,
  });
  return { tm, signedOut };
}

/** Lets fake time run until `p` settles (the fakes above answer after a few ms). */
async function run<T>(p: Promise<T>): Promise<T> {
  let done = false;
  p.then(
    () => (done = true),
    () => (done = true),
  );
  while (!done) await vi.advanceTimersByTimeAsync(1);
  return p;
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe("TokenManager", () => {
  it("sends the bearer token and refreshes once before the first call", async () => {
    const gw = new FakeGateway();
    const { tm } = manager(gw);
    const res = await run(
      Promise.all([tm.fetch("/api/projects"), tm.fetch("/api/me"), tm.fetch("/api/settings/keys")].map(async (p) => (await p).status)),
    );
    expect(res).toEqual([200, 200, 200]);
    expect(gw.refreshes).toBe(1);
    expect(gw.seen).toEqual(["at1", "at1", "at1"]);
    expect(tm.user?.id).toBe("u1");
  });

  it("on a 401 refreshes once and retries once; concurrent 401s share that one refresh", async () => {
    const gw = new FakeGateway();
    const { tm, signedOut } = manager(gw);
    await run(tm.refresh());
    gw.invalidate("at1");
    const statuses = await run(Promise.all([1, 2, 3, 4].map(async () => (await tm.fetch("/api/projects")).status)));
    expect(statuses).toEqual([200, 200, 200, 200]);
    expect(gw.refreshes).toBe(2);
    expect(gw.seen).toEqual(["at1", "at1", "at1", "at1", "at2", "at2", "at2", "at2"]);
    expect(signedOut).not.toHaveBeenCalled();
  });

  it("a second 401 after the refresh ends the session instead of looping", async () => {
    const gw = new FakeGateway();
    const { tm, signedOut } = manager(gw);
    // The server accepts refreshes but rejects every access token (a misconfigured audience, say).
    gw.api = async (_u, init) => {
      gw.seen.push(new Headers(init.headers).get("authorization"));
      return new Response("{}", { status: 401 });
    };
    const res = await run(tm.fetch("/api/projects"));
    expect(res.status).toBe(401);
    expect(gw.seen).toHaveLength(2);
    expect(gw.refreshes).toBe(2); // the first token, then the one retry
    expect(signedOut).toHaveBeenCalledTimes(1);
    expect(tm.peek()).toBeNull();
  });

  it("a refused refresh signs out and rejects every waiting caller", async () => {
    const gw = new FakeGateway();
    const { tm, signedOut } = manager(gw);
    gw.cookie = "stolen";
    await run(tm.refresh());
    gw.cookie = "stolen"; // a copy of the rotated cookie comes back: reuse
    gw.invalidate("at1");
    const results = await run(Promise.allSettled([tm.fetch("/api/a"), tm.fetch("/api/b")]));
    expect(results.map((r) => r.status)).toEqual(["rejected", "rejected"]);
    expect(results[0]?.status === "rejected" && results[0].reason).toBeInstanceOf(SignedOutError);
    expect(gw.refreshes).toBe(2);
    expect(signedOut).toHaveBeenCalledTimes(1);
  });

  it("schedules the refresh a minute before expiry and keeps rotating", async () => {
    const gw = new FakeGateway();
    const { tm } = manager(gw);
    await run(tm.refresh());
    expect(gw.refreshes).toBe(1);
    await vi.advanceTimersByTimeAsync(900_000 - 60_000 - 20);
    expect(gw.refreshes).toBe(1);
    await vi.advanceTimersByTimeAsync(40);
    expect(gw.refreshes).toBe(2);
    expect(tm.peek()).toBe("at2");
    await vi.advanceTimersByTimeAsync(840_000);
    expect(gw.refreshes).toBe(3);
    // The token never lapsed: a call at any point goes out with a valid one, no extra refresh.
    expect((await run(tm.fetch("/api/me"))).status).toBe(200);
    expect(gw.refreshes).toBe(3);
  });

  it("short-lived tokens refresh at four fifths of their life", async () => {
    expect(refreshLeadMs(900_000)).toBe(60_000);
    expect(refreshLeadMs(100_000)).toBe(20_000);
    const gw = new FakeGateway();
    gw.ttlS = 100;
    const { tm } = manager(gw);
    await run(tm.refresh());
    await vi.advanceTimersByTimeAsync(79_000);
    expect(gw.refreshes).toBe(1);
    await vi.advanceTimersByTimeAsync(1_100);
    expect(gw.refreshes).toBe(2);
  });

  it("refreshes before a call when the timer was late (a throttled background tab)", async () => {
    const gw = new FakeGateway();
    let clock = Date.now();
    const tm = new TokenManager({
      refresh: () => gw.refresh(),
      withLock: refreshLock(undefined),
      fetch: (u, i) => gw.api(u, i),
      now: () => clock,
      setTimer: () => 0, // the timer never fires
      clearTimer: () => undefined,
      onSignedOut: () => undefined,
    });
    await run(tm.refresh());
    clock += 850_000;
    await run(tm.fetch("/api/me"));
    expect(gw.refreshes).toBe(2);
    expect(gw.seen).toEqual(["at2"]);
  });

  it("clear() forgets the token and cancels the scheduled refresh", async () => {
    const gw = new FakeGateway();
    const { tm, signedOut } = manager(gw);
    await run(tm.refresh());
    tm.clear();
    expect(tm.peek()).toBeNull();
    await vi.advanceTimersByTimeAsync(1_000_000);
    expect(gw.refreshes).toBe(1);
    expect(signedOut).not.toHaveBeenCalled();
  });
});

describe("refreshes across tabs", () => {
  /** navigator.locks as one browser shares it between tabs: an exclusive, FIFO lock per name. */
  function sharedLocks(): LockManagerLike & { names: string[] } {
    let tail: Promise<unknown> = Promise.resolve();
    const names: string[] = [];
    return {
      names,
      request<T>(name: string, cb: () => Promise<T>): Promise<T> {
        names.push(name);
        const run = tail.then(cb);
        tail = run.catch(() => undefined);
        return run;
      },
    };
  }

  it("two tabs sharing one cookie jar never present the same refresh token twice", async () => {
    const gw = new FakeGateway();
    const locks = sharedLocks();
    const a = manager(gw, refreshLock(locks));
    const b = manager(gw, refreshLock(locks));
    await run(Promise.all([a.tm.refresh(), b.tm.refresh(), a.tm.refresh(), b.tm.refresh()]));
    expect(locks.names).toEqual(["proximus-refresh", "proximus-refresh"]);
    expect(gw.refreshes).toBe(2);
    expect([a.signedOut.mock.calls.length, b.signedOut.mock.calls.length]).toEqual([0, 0]);
    expect([a.tm.peek(), b.tm.peek()].sort()).toEqual(["at1", "at2"]);
  });

  it("without the lock the same race revokes the session family (why the lock exists)", async () => {
    const gw = new FakeGateway();
    const racing = async <T>(fn: () => Promise<T>) => fn();
    // Both tabs read the cookie before either rotation lands.
    const presented = gw.cookie;
    const mk = () =>
      new TokenManager({
        refresh: () => gw.refresh(presented),
        withLock: racing,
        fetch: (u, i) => gw.api(u, i),
        now: () => Date.now(),
        setTimer: () => 0,
        clearTimer: () => undefined,
        onSignedOut: () => undefined,
      });
    const results = await run(Promise.allSettled([mk().refresh(), mk().refresh()]));
    expect(results.map((r) => r.status).sort()).toEqual(["fulfilled", "rejected"]);
    expect(gw.valid.size).toBe(0);
  });

  it("the fallback without navigator.locks still serializes within the tab", async () => {
    const lock = refreshLock(undefined);
    const order: string[] = [];
    const job = (name: string, ms: number) =>
      lock(async () => {
        order.push(`start ${name}`);
        await new Promise((r) => setTimeout(r, ms));
        order.push(`end ${name}`);
      });
    const done = Promise.all([job("a", 30), job("b", 5)]);
    await vi.advanceTimersByTimeAsync(50);
    await done;
    expect(order).toEqual(["start a", "end a", "start b", "end b"]);
  });
});
