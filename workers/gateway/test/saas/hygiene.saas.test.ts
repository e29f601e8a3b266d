import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { REFRESH_COOKIE } from "../../src/routes/auth";
import { createProjectAs, errorOf, gw, login, randomIp, refresh, withBearer, ORIGIN } from "../saas-helpers";

const saas = env.AUTH_MODE === "saas";
const DASHBOARD = "https://dashboard.example.test";

describe.runIf(saas)("WebSocket tickets", () => {
  it("are short-lived, single-use and open only their project", async () => {
    const alice = await login("alice-ws");
    const p1 = await createProjectAs(alice);
    const p2 = await createProjectAs(alice, "another idea");
    const res = await gw(`/api/projects/${p1.id}/ws-ticket`, withBearer(alice.accessToken, "POST"));
    expect(res.status).toBe(201);
    const t = await res.json<{ ticket: string; expiresAt: number; url: string }>();
    expect(t.expiresAt - Date.now()).toBeLessThanOrEqual(60_000);
    expect(t.url).toBe(`/api/projects/${p1.id}/ws?ticket=${t.ticket}`);

    // No header: the ticket alone authenticates the upgrade, and only for p1.
    const wrongProject = await gw(`/api/projects/${p2.id}/ws?ticket=${t.ticket}`, { headers: { upgrade: "websocket" } });
    expect(await errorOf(wrongProject)).toMatchObject({ status: 401, code: "unauthorized" });
    const ws = await gw(`${t.url}&since=0`, { headers: { upgrade: "websocket" } });
    expect(ws.status).toBe(101);
    ws.webSocket!.accept();
    const first = new Promise<string>((resolve) =>
      ws.webSocket!.addEventListener("message", (m) => resolve(String(m.data)), { once: true }),
    );
    expect(JSON.parse(await first)).toMatchObject({ type: "hello" });
    ws.webSocket!.close(1000, "done");

    // Single use.
    expect((await gw(t.url, { headers: { upgrade: "websocket" } })).status).toBe(401);
    // A ticket is not a bearer token, and not accepted on other routes.
    expect((await gw(`/api/projects/${p1.id}?ticket=${t.ticket}`)).status).toBe(401);
    expect((await gw(`/api/projects/${p1.id}`, { headers: { authorization: `Bearer ${t.ticket}` } })).status).toBe(401);

    // Expired.
    const late = await (
      await gw(`/api/projects/${p1.id}/ws-ticket`, withBearer(alice.accessToken, "POST"))
    ).json<{ ticket: string; url: string }>();
    await env.DB.prepare("UPDATE ws_tickets SET expires_at = ? WHERE used_at IS NULL AND project_id = ?")
      .bind(Date.now() - 1, p1.id)
      .run();
    expect((await gw(late.url, { headers: { upgrade: "websocket" } })).status).toBe(401);
    // Stored hashed.
    const stored = await env.DB.prepare("SELECT hash FROM ws_tickets WHERE project_id = ?").bind(p1.id).all<{ hash: string }>();
    expect(stored.results.map((r) => r.hash)).not.toContain(late.ticket);
  });
});

/**
 * Sends until the first 429. The bucket allows a burst of `perMinute`, then refills at
 * perMinute/60 per second, so on a slow machine a few more may pass: never fewer, never many more.
 */
async function untilLimited(perMinute: number, send: () => Promise<Response>) {
  const started = Date.now();
  const seen = new Set<number>();
  for (let n = 0; n < perMinute * 3; n++) {
    const res = await send();
    if (res.status === 429) {
      const refilled = Math.ceil(((Date.now() - started) / 60_000) * perMinute);
      expect(n).toBeGreaterThanOrEqual(perMinute);
      expect(n).toBeLessThanOrEqual(perMinute + refilled + 1);
      return { limited: res, otherStatuses: [...seen] };
    }
    seen.add(res.status);
    await res.body?.cancel();
  }
  throw new Error(`no 429 after ${perMinute * 3} requests`);
}

describe.runIf(saas)("rate limits", () => {
  it("limit each user (60/min here): 429, the envelope and Retry-After", async () => {
    const s = await login("rl-user");
    const r = await untilLimited(60, () => gw("/api/me", withBearer(s.accessToken)));
    expect(r.otherStatuses).toEqual([200]);
    const res = r.limited;
    expect(Number(res.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect(await errorOf(res)).toMatchObject({ status: 429, code: "rate_limited" });
    // Another user is unaffected, even from the same address.
    const other = await login("rl-other");
    expect((await gw("/api/me", withBearer(other.accessToken))).status).toBe(200);
  });

  it("limit each client IP on /auth (20/min here) and on /api (100/min here)", async () => {
    const ip = randomIp();
    const auth = await untilLimited(20, () => refresh(undefined, ORIGIN, ip));
    expect(auth.otherStatuses).toEqual([401]);
    expect(auth.limited.headers.get("retry-after")).toBeTruthy();
    // A different address still gets through.
    expect((await refresh(undefined, ORIGIN, randomIp())).status).toBe(401);

    const apiIp = randomIp();
    const api = await untilLimited(100, () => gw("/api/me", { ip: apiIp }));
    expect(api.otherStatuses).toEqual([401]);
  });
});

describe.runIf(saas)("CORS, CSRF and headers", () => {
  it("allows only the configured dashboard origin cross-origin", async () => {
    const pre = await gw("/api/projects", {
      method: "OPTIONS",
      headers: {
        origin: DASHBOARD,
        "access-control-request-method": "POST",
        "access-control-request-headers": "authorization,content-type,idempotency-key",
      },
    });
    expect(pre.status).toBe(204);
    expect(pre.headers.get("access-control-allow-origin")).toBe(DASHBOARD);
    expect(pre.headers.get("access-control-allow-headers")).toContain("idempotency-key");
    const evilPre = await gw("/api/projects", {
      method: "OPTIONS",
      headers: { origin: "https://evil.example", "access-control-request-method": "POST" },
    });
    expect(evilPre.headers.get("access-control-allow-origin")).toBeNull();

    const s = await login("cors-user");
    const ok = await gw("/api/projects", withBearer(s.accessToken, "GET", undefined, { origin: DASHBOARD }));
    expect(ok.status).toBe(200);
    expect(ok.headers.get("access-control-allow-origin")).toBe(DASHBOARD);
    expect(ok.headers.get("access-control-expose-headers")).toContain("retry-after");
    const evil = await gw("/api/projects", withBearer(s.accessToken, "GET", undefined, { origin: "https://evil.example" }));
    expect(evil.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("refuses cross-origin state changes and cookie requests without proof of origin", async () => {
    const s = await login("csrf-user");
    const cookie = `${REFRESH_COOKIE}=${encodeURIComponent(s.refreshToken)}`;
    const attempts: Record<string, string>[] = [
      { cookie, origin: "https://evil.example" },
      { cookie },
      { cookie, "sec-fetch-site": "cross-site" },
      { cookie, origin: "null" },
    ];
    for (const headers of attempts) {
      expect(await errorOf(await gw("/auth/refresh", { method: "POST", headers }))).toMatchObject({ status: 403, code: "forbidden" });
      expect((await gw("/auth/logout", { method: "POST", headers })).status).toBe(403);
    }
    // The session survived all of that.
    expect((await gw("/auth/refresh", { method: "POST", headers: { cookie, "sec-fetch-site": "same-origin" } })).status).toBe(200);

    // Bearer requests from a foreign page are refused too (defence in depth), and WebSocket upgrades.
    const bad = await gw("/api/projects", withBearer(s.accessToken, "POST", { idea: "csrf idea" }, { origin: "https://evil.example" }));
    expect(await errorOf(bad)).toMatchObject({ status: 403, code: "forbidden" });
    const p = await createProjectAs(s);
    const ws = await gw(
      `/api/projects/${p.id}/ws`,
      withBearer(s.accessToken, "GET", undefined, { upgrade: "websocket", origin: "https://evil.example" }),
    );
    expect(ws.status).toBe(403);
    const fromDashboard = await gw("/api/projects", withBearer(s.accessToken, "POST", { idea: "dashboard idea" }, { origin: DASHBOARD }));
    expect(fromDashboard.status).toBe(201);
  });

  it("sets security headers and a CSP on API responses", async () => {
    for (const path of ["/api/me", "/.well-known/jwks.json", "/health"]) {
      const res = await gw(path);
      expect(res.headers.get("content-security-policy"), path).toBe(
        "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
      );
      expect(res.headers.get("x-content-type-options")).toBe("nosniff");
      expect(res.headers.get("strict-transport-security")).toMatch(/max-age=/);
    }
  });

  it("keeps the 64 kB body limit", async () => {
    const s = await login("size-user");
    const res = await gw("/api/projects", withBearer(s.accessToken, "POST", { idea: "y".repeat(70_000) }));
    expect(await errorOf(res)).toMatchObject({ status: 413, code: "payload_too_large" });
  });
});

describe.runIf(saas)("Idempotency-Key on POST /api/projects", () => {
  it("same key and body give the same project; a different body is a 409", async () => {
    const s = await login("idem-user");
    const key = { "idempotency-key": `k-${crypto.randomUUID()}` };
    const a = await gw("/api/projects", withBearer(s.accessToken, "POST", { idea: "a bakery app", budgetUsd: 3 }, key));
    expect(a.status).toBe(201);
    const pa = await a.json<{ id: string }>();
    // Same body, keys in another order: the same request.
    const b = await gw("/api/projects", withBearer(s.accessToken, "POST", { budgetUsd: 3, idea: "a bakery app" }, key));
    expect(b.status).toBe(201);
    expect(b.headers.get("idempotency-replayed")).toBe("true");
    expect(b.headers.get("location")).toBe(`/api/projects/${pa.id}`);
    expect((await b.json<{ id: string }>()).id).toBe(pa.id);
    const n = await env.DB.prepare("SELECT COUNT(*) AS n FROM projects WHERE owner_id = ? AND idea = 'a bakery app'")
      .bind(s.user.id)
      .first<{ n: number }>();
    expect(n!.n).toBe(1);

    const c = await gw("/api/projects", withBearer(s.accessToken, "POST", { idea: "a different app" }, key));
    expect(await errorOf(c)).toMatchObject({ status: 409, code: "conflict" });
    const bad = await gw("/api/projects", withBearer(s.accessToken, "POST", { idea: "a bakery app" }, { "idempotency-key": "has space" }));
    expect(await errorOf(bad)).toMatchObject({ status: 400, code: "validation_failed" });
  });
});
