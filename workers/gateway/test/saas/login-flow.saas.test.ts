import { env } from "cloudflare:workers";
import { SignJWT, createLocalJWKSet, importJWK, jwtVerify, type CryptoKey } from "jose";
import { describe, expect, inject, it } from "vitest";
import { LOGIN_COOKIE, REFRESH_COOKIE } from "../../src/routes/auth";
import { bearer, callback, cookieValue, errorOf, gw, login, refresh, setCookieLine, startLogin, ORIGIN } from "../saas-helpers";

const saas = env.AUTH_MODE === "saas";

describe.runIf(saas)("OIDC login (authorization code + PKCE)", () => {
  it("redirects to the issuer with S256 PKCE, state and nonce, keeping them in a short-lived signed cookie", async () => {
    const { start, authorize } = await startLogin("alice");
    expect(authorize.origin).toBe(inject("issuerUrl"));
    const q = authorize.searchParams;
    expect(q.get("response_type")).toBe("code");
    expect(q.get("client_id")).toBe("proximus-test-client");
    expect(q.get("redirect_uri")).toBe(`${ORIGIN}/auth/callback`);
    expect(q.get("scope")).toBe("openid email profile");
    expect(q.get("code_challenge_method")).toBe("S256");
    expect(q.get("code_challenge")).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(q.get("state")!.length).toBeGreaterThanOrEqual(32);
    expect(q.get("nonce")!.length).toBeGreaterThanOrEqual(32);
    const line = setCookieLine(start, LOGIN_COOKIE)!;
    expect(line).toMatch(/HttpOnly/);
    expect(line).toMatch(/Secure/);
    expect(line).toMatch(/SameSite=Lax/);
    expect(line).toMatch(/Path=\/auth\/callback/);
    expect(line).toMatch(/Max-Age=600/);
    // The verifier never leaves the gateway except in the signed cookie.
    expect(start.headers.get("location")).not.toContain(cookieValue(start, LOGIN_COOKIE));
  });

  it("logs in, uses the access token, rotates the refresh token, detects reuse, and logs out", async () => {
    const { loginCookie, callbackUrl } = await startLogin("alice", { redirect: "/projects?tab=mine" });
    const cb = await callback(callbackUrl, loginCookie);
    expect(cb.status).toBe(302);
    expect(cb.headers.get("location")).toBe("/projects?tab=mine");
    const rtLine = setCookieLine(cb, REFRESH_COOKIE)!;
    expect(rtLine).toMatch(/HttpOnly/);
    expect(rtLine).toMatch(/Secure/);
    expect(rtLine).toMatch(/SameSite=Strict/);
    expect(rtLine).toMatch(/Path=\/auth/);
    // The login cookie is spent.
    expect(setCookieLine(cb, LOGIN_COOKIE)).toMatch(/Max-Age=0/);
    const rt1 = cookieValue(cb, REFRESH_COOKIE)!;

    const user = await env.DB.prepare("SELECT id, email, name, oidc_subject FROM users WHERE email = 'alice@example.test'").first<{
      id: string;
      oidc_subject: string;
    }>();
    expect(user).toMatchObject({ email: "alice@example.test", name: "Alice", oidc_subject: `${inject("issuerUrl")}|sub-alice` });
    // Only hashes are stored.
    const stored = await env.DB.prepare("SELECT hash FROM refresh_tokens WHERE user_id = ?").bind(user!.id).all<{ hash: string }>();
    expect(stored.results.map((r) => r.hash)).not.toContain(rt1);

    const r1 = await refresh(rt1);
    expect(r1.status).toBe(200);
    const body = await r1.json<{ accessToken: string; tokenType: string; expiresIn: number; user: { id: string } }>();
    expect(body).toMatchObject({ tokenType: "Bearer", expiresIn: 900, user: { id: user!.id, email: "alice@example.test" } });
    expect(r1.headers.get("cache-control")).toBe("no-store");
    const rt2 = cookieValue(r1, REFRESH_COOKIE)!;
    expect(rt2).toBeTruthy();
    expect(rt2).not.toBe(rt1);

    const me = await gw("/api/me", { headers: bearer(body.accessToken) });
    expect(me.status).toBe(200);
    expect(await me.json()).toEqual({ mode: "saas", user: { id: user!.id, email: "alice@example.test", name: "Alice" } });

    // Rotation: rt2 → rt3.
    const r2 = await refresh(rt2);
    expect(r2.status).toBe(200);
    const rt3 = cookieValue(r2, REFRESH_COOKIE)!;

    // Reusing rt1 (already rotated) is theft: 401, and the whole family dies — rt3 too.
    const reuse = await refresh(rt1);
    expect(await errorOf(reuse)).toMatchObject({ status: 401, code: "unauthorized" });
    expect(setCookieLine(reuse, REFRESH_COOKIE)).toMatch(/Max-Age=0/);
    expect((await refresh(rt3)).status).toBe(401);
    const family = await env.DB.prepare(
      "SELECT COUNT(*) AS n, SUM(revoked_at IS NOT NULL) AS revoked FROM refresh_tokens WHERE user_id = ? AND family = (SELECT family FROM refresh_tokens WHERE user_id = ? ORDER BY created_at DESC LIMIT 1)",
    )
      .bind(user!.id, user!.id)
      .first<{ n: number; revoked: number }>();
    expect(family!.n).toBe(3);
    expect(family!.revoked).toBe(3);

    // A fresh login is a new family, unaffected; logout ends it.
    const s = await login("alice");
    expect(s.user.id).toBe(user!.id);
    const out = await gw("/auth/logout", {
      method: "POST",
      headers: { origin: ORIGIN, cookie: `${REFRESH_COOKIE}=${encodeURIComponent(s.refreshToken)}` },
    });
    expect(out.status).toBe(204);
    expect(setCookieLine(out, REFRESH_COOKIE)).toMatch(/Max-Age=0/);
    expect((await refresh(s.refreshToken)).status).toBe(401);
  });

  it("keeps the same user across logins and separates accounts", async () => {
    const a1 = await login("carol");
    const a2 = await login("carol");
    const b = await login("dave");
    expect(a2.user.id).toBe(a1.user.id);
    expect(b.user.id).not.toBe(a1.user.id);
  });

  it("refuses an open redirect after login", async () => {
    for (const evil of ["//evil.example/x", "https://evil.example", "/\\evil.example"]) {
      const { loginCookie, callbackUrl } = await startLogin("erin", { redirect: evil });
      const cb = await callback(callbackUrl, loginCookie);
      expect(cb.status).toBe(302);
      expect(cb.headers.get("location")).toBe("/");
    }
  });

  it("rejects a callback with a wrong state, no login cookie, or a replayed code", async () => {
    const a = await startLogin("frank");
    const forged = new URL(a.callbackUrl);
    forged.searchParams.set("state", "x".repeat(43));
    expect(await errorOf(await callback(forged.toString(), a.loginCookie))).toMatchObject({ status: 400, code: "bad_request" });

    const b = await startLogin("frank");
    expect(await errorOf(await callback(b.callbackUrl, undefined))).toMatchObject({ status: 400, code: "bad_request" });
    // Another login's cookie does not fit this callback's state.
    const c = await startLogin("frank");
    expect((await callback(c.callbackUrl, b.loginCookie)).status).toBe(400);
    // A cookie the gateway did not sign is not a login.
    expect((await callback(c.callbackUrl, `${b.loginCookie.slice(0, -4)}AAAA`)).status).toBe(400);

    const d = await startLogin("frank");
    expect((await callback(d.callbackUrl, d.loginCookie)).status).toBe(302);
    // Codes are single-use at the issuer.
    expect(await errorOf(await callback(d.callbackUrl, d.loginCookie))).toMatchObject({ status: 401, code: "unauthorized" });
  });

  it("reports an issuer-side refusal", async () => {
    const { loginCookie, callbackUrl } = await startLogin("gina", { idp: { x_deny: "1" } });
    expect(new URL(callbackUrl).searchParams.get("error")).toBe("access_denied");
    expect(await errorOf(await callback(callbackUrl, loginCookie))).toMatchObject({ status: 401, code: "unauthorized" });
  });

  it.each([
    ["nonce", 401, /nonce does not match/],
    ["aud", 401, /ID token .* not valid/],
    ["iss", 401, /ID token .* not valid/],
    ["expired", 401, /ID token .* not valid/],
    ["signature", 401, /ID token .* not valid/],
    ["unverified", 403, /verify your email/],
    ["no-email", 403, /no email/],
  ] as const)("rejects an ID token with a bad %s", async (tamper, status, message) => {
    const { loginCookie, callbackUrl } = await startLogin(`tamper${tamper.replace("-", "")}`, { idp: { x_tamper: tamper } });
    const res = await callback(callbackUrl, loginCookie);
    const err = await errorOf(res);
    expect(err.status).toBe(status);
    expect(err.message).toMatch(message);
    expect(setCookieLine(res, REFRESH_COOKIE)).toBeUndefined();
    const n = await env.DB.prepare("SELECT COUNT(*) AS n FROM users WHERE email LIKE ?")
      .bind(`tamper${tamper.replace("-", "")}@%`)
      .first<{ n: number }>();
    expect(n!.n).toBe(0);
  });

  it("caches discovery and the issuer's JWKS", async () => {
    await login("henry");
    const before = await (await fetch(`${inject("issuerUrl")}/stats`)).json<{ discovery: number; jwks: number; token: number }>();
    await login("henry");
    await login("irene");
    const after = await (await fetch(`${inject("issuerUrl")}/stats`)).json<{ discovery: number; jwks: number; token: number }>();
    expect(after.token - before.token).toBe(2);
    expect(after.discovery).toBe(before.discovery);
    expect(after.jwks).toBe(before.jwks);
  });

  it("publishes its public key at /.well-known/jwks.json, and access tokens verify against it", async () => {
    const res = await gw("/.well-known/jwks.json");
    expect(res.status).toBe(200);
    const jwks = await res.json<{ keys: Record<string, unknown>[] }>();
    expect(jwks.keys).toHaveLength(1);
    expect(jwks.keys[0]).toMatchObject({ kty: "RSA", kid: "gateway-test-1", alg: "RS256", use: "sig" });
    for (const priv of ["d", "p", "q", "dp", "dq", "qi"]) expect(jwks.keys[0]).not.toHaveProperty(priv);
    const s = await login("judy");
    const { payload, protectedHeader } = await jwtVerify(s.accessToken, createLocalJWKSet(jwks as never), {
      issuer: ORIGIN,
      audience: "proximus-api",
      algorithms: ["RS256"],
    });
    expect(protectedHeader.kid).toBe("gateway-test-1");
    expect(payload.sub).toBe(s.user.id);
    expect(payload.exp! - payload.iat!).toBe(900);
  });

  it("answers 401 with WWW-Authenticate when /api is called without a valid token", async () => {
    const attempts: Record<string, string>[] = [{}, { authorization: "Bearer not.a.jwt" }, { authorization: "Basic Zm9vOmJhcg==" }];
    for (const headers of attempts) {
      const res = await gw("/api/projects", { headers });
      expect(res.headers.get("www-authenticate")).toMatch(/^Bearer/);
      expect(await errorOf(res)).toMatchObject({ status: 401, code: "unauthorized" });
    }
    // The login cookie or the refresh cookie is not an API credential.
    const s = await login("kate");
    const res = await gw("/api/me", { headers: { cookie: `${REFRESH_COOKIE}=${s.refreshToken}` } });
    expect(res.status).toBe(401);
    // Nor is the signed login-state cookie, although it is a JWT signed with the same key.
    const { loginCookie } = await startLogin("kate");
    expect((await gw("/api/me", { headers: bearer(loginCookie) })).status).toBe(401);
  });
});

describe.runIf(saas)("bearer tokens at the API", () => {
  it("accepts only our unexpired RS256 token, for our issuer and audience, under our kid", async () => {
    const s = await login("leo");
    const key = (await importJWK(JSON.parse(inject("gatewayJwk")) as Record<string, string>, "RS256")) as CryptoKey;
    const t = Math.floor(Date.now() / 1000);
    const forge = (o: { iss?: string; aud?: string; exp?: number; nbf?: number; kid?: string } = {}) =>
      new SignJWT({ email: s.user.email, name: s.user.name })
        .setProtectedHeader({ alg: "RS256", kid: o.kid ?? "gateway-test-1", typ: "at+jwt" })
        .setSubject(s.user.id)
        .setIssuer(o.iss ?? ORIGIN)
        .setAudience(o.aud ?? "proximus-api")
        .setIssuedAt(t - 10)
        .setNotBefore(o.nbf ?? t - 10)
        .setExpirationTime(o.exp ?? t + 600)
        .sign(key);
    const me = async (token: string) => (await gw("/api/me", { headers: bearer(token) })).status;
    expect(await me(await forge())).toBe(200);
    expect(await me(await forge({ iss: "https://other.example" }))).toBe(401);
    expect(await me(await forge({ aud: "urn:proximus:api" }))).toBe(401);
    expect(await me(await forge({ exp: t - 30 }))).toBe(401);
    expect(await me(await forge({ nbf: t + 300 }))).toBe(401);
    expect(await me(await forge({ kid: "gateway-test-0" }))).toBe(401);
    const [h, p, sig] = s.accessToken.split(".") as [string, string, string];
    expect(await me(`${h}.${p}.${sig}`)).toBe(200);
    expect(await me(`${h}.${p.slice(0, -2)}${p.endsWith("A") ? "B" : "A"}.${sig}`)).toBe(401);
  });
});
