import { Hono, type Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { createMiddleware } from "hono/factory";
import { z } from "zod";
import { AppError } from "@proximus/contracts";
import type { AppEnv } from "../app-env";
import { mintAccessToken } from "../auth/access-token";
import { authMode, saasConfig, type SaasConfig } from "../auth/config";
import { pkceChallenge, randomToken, timingSafeEqual } from "../auth/crypto";
import { signingKey } from "../auth/keys";
import { LOGIN_TTL_S, openLoginState, safeRedirect, sealLoginState } from "../auth/login-state";
import { authorizeUrl, discover, exchangeCode, verifyIdToken } from "../auth/oidc";
import { issueRefreshToken, pruneExpired, revokeByToken, rotateRefreshToken } from "../auth/refresh-tokens";
import { cookieRoute } from "../auth/origin";
import { upsertOidcUser, userById } from "../auth/users";
import { parseWith } from "../validate";

/** `__Secure-` makes browsers refuse the cookie unless it was set with Secure over https (or on localhost). */
export const REFRESH_COOKIE = "__Secure-proximus_rt";
export const LOGIN_COOKIE = "__Secure-proximus_login";

function saas(c: Context<AppEnv>): SaasConfig {
  if (authMode(c.env) !== "saas") throw new AppError("not_found", "login is disabled: this server runs in local mode (AUTH_MODE=local)");
  return saasConfig(c.env);
}

function setRefreshCookie(c: Context<AppEnv>, token: string, ttlS: number) {
  // Strict: never sent on a cross-site request, so only our own pages can spend it.
  setCookie(c, REFRESH_COOKIE, token, { httpOnly: true, secure: true, sameSite: "Strict", path: "/auth", maxAge: ttlS });
}

const LoginQuery = z.object({ redirect: z.string().max(2_000).optional() });
const CallbackQuery = z.union([
  z.object({ code: z.string().min(1).max(4_096), state: z.string().min(1).max(512) }),
  z.object({ error: z.string().max(200), error_description: z.string().max(2_000).optional(), state: z.string().max(512).optional() }),
]);

/** Login routes exist only in SaaS mode; checked before anything else (e.g. the cookie Origin check). */
const saasOnly = createMiddleware<AppEnv>(async (c, next) => {
  saas(c);
  await next();
});

export const authRoutes = new Hono<AppEnv>()
  .use("/auth/*", saasOnly)
  .use("/.well-known/jwks.json", saasOnly)
  .get("/.well-known/jwks.json", async (c) => {
    const cfg = saas(c);
    const key = await signingKey(cfg.privateJwk);
    c.header("cache-control", "public, max-age=300");
    return c.json({ keys: [key.publicJwk] });
  })
  .get("/auth/login", async (c) => {
    const cfg = saas(c);
    const q = parseWith(LoginQuery, c.req.query(), "query");
    const key = await signingKey(cfg.privateJwk);
    const d = await discover(cfg.issuer);
    const login = { state: randomToken(), nonce: randomToken(), verifier: randomToken(48), redirect: safeRedirect(q.redirect) };
    // Lax, not Strict: the callback is a cross-site navigation back from the identity provider.
    setCookie(c, LOGIN_COOKIE, await sealLoginState(key, cfg.jwtIssuer, cfg.jwtAudience, login), {
      httpOnly: true,
      secure: true,
      sameSite: "Lax",
      path: "/auth/callback",
      maxAge: LOGIN_TTL_S,
    });
    c.header("cache-control", "no-store");
    return c.redirect(
      authorizeUrl(d, cfg, { state: login.state, nonce: login.nonce, challenge: await pkceChallenge(login.verifier) }),
      302,
    );
  })
  .get("/auth/callback", async (c) => {
    const cfg = saas(c);
    const key = await signingKey(cfg.privateJwk);
    c.header("cache-control", "no-store");
    const login = await openLoginState(key, cfg.jwtIssuer, cfg.jwtAudience, getCookie(c, LOGIN_COOKIE));
    // One login, one callback: whatever happens next, this state cannot be replayed.
    deleteCookie(c, LOGIN_COOKIE, { path: "/auth/callback", secure: true });
    const q = parseWith(CallbackQuery, c.req.query(), "query");
    if ("error" in q) throw new AppError("unauthorized", "the identity provider did not sign you in", { error: q.error });
    if (!timingSafeEqual(q.state, login.state))
      throw new AppError("bad_request", "the login state does not match; start again at /auth/login");
    const d = await discover(cfg.issuer);
    const idToken = await exchangeCode(d, cfg, q.code, login.verifier);
    const identity = await verifyIdToken(d, cfg, idToken, login.nonce);
    const user = await upsertOidcUser(c.var.db, identity);
    await pruneExpired(c.var.db, user.id);
    const rt = await issueRefreshToken(c.var.db, user.id, cfg.refreshTtlS);
    setRefreshCookie(c, rt.token, cfg.refreshTtlS);
    return c.redirect(login.redirect, 302);
  })
  .post("/auth/refresh", cookieRoute, async (c) => {
    const cfg = saas(c);
    c.header("cache-control", "no-store");
    const presented = getCookie(c, REFRESH_COOKIE);
    if (!presented) throw new AppError("unauthorized", "not signed in");
    let rotated;
    try {
      rotated = await rotateRefreshToken(c.var.db, presented, cfg.refreshTtlS);
    } catch (e) {
      deleteCookie(c, REFRESH_COOKIE, { path: "/auth", secure: true });
      throw e;
    }
    const user = await userById(c.var.db, rotated.userId);
    if (!user) throw new AppError("unauthorized", "this account no longer exists");
    setRefreshCookie(c, rotated.token, cfg.refreshTtlS);
    const { token, expiresAt } = await mintAccessToken(await signingKey(cfg.privateJwk), cfg, user);
    return c.json({ accessToken: token, tokenType: "Bearer", expiresIn: cfg.accessTtlS, expiresAt, user });
  })
  .post("/auth/logout", cookieRoute, async (c) => {
    saas(c);
    const presented = getCookie(c, REFRESH_COOKIE);
    if (presented) await revokeByToken(c.var.db, presented);
    deleteCookie(c, REFRESH_COOKIE, { path: "/auth", secure: true });
    return c.body(null, 204);
  });
