import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import { AppError } from "@proximus/contracts";
import type { AppEnv, AuthUser } from "../app-env";
import { verifyAccessToken } from "./access-token";
import { authMode, saasConfig } from "./config";
import { signingKey } from "./keys";
import { LOCAL_USER } from "./local";
import { userById } from "./users";
import { consumeWsTicket } from "./ws-ticket";

const WS_PATH = /^\/api\/projects\/([^/]+)\/ws$/;
const LOOPBACK_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]", "::1"]);

async function saasUser(c: Context<AppEnv>): Promise<AuthUser> {
  const cfg = saasConfig(c.env);
  const authz = c.req.header("authorization");
  if (authz) {
    const m = /^Bearer\s+([A-Za-z0-9._~+/=-]+)$/i.exec(authz.trim());
    if (!m?.[1]) throw new AppError("unauthorized", "Authorization must be `Bearer <access token>`");
    return verifyAccessToken(await signingKey(cfg.privateJwk), cfg, m[1]);
  }
  const ticket = c.req.query("ticket");
  const ws = WS_PATH.exec(new URL(c.req.url).pathname);
  if (ticket && ws?.[1] && c.req.method === "GET") {
    const userId = await consumeWsTicket(c.var.db, ticket, ws[1]);
    const user = userId ? await userById(c.var.db, userId) : null;
    if (!user) throw new AppError("unauthorized", "the WebSocket ticket is invalid, expired or already used");
    return user;
  }
  throw new AppError("unauthorized", "sign in required");
}

/**
 * Who is calling /api/*: the one local user (AUTH_MODE=local), or in SaaS mode the user named by
 * a bearer access token — or, only for the WebSocket route, by a single-use ticket.
 */
export const apiAuth = createMiddleware<AppEnv>(async (c, next) => {
  if (authMode(c.env) === "local") {
    // Local mode trusts every caller, so it only answers on this machine: a deploy that forgot
    // AUTH_MODE=saas must not publish everyone's projects and stored keys.
    const host = new URL(c.req.url).hostname;
    if (!LOOPBACK_HOSTS.has(host) && c.env.LOCAL_MODE_PUBLIC !== "1") {
      throw new AppError(
        "forbidden",
        "AUTH_MODE=local only serves localhost; deploy with AUTH_MODE=saas (or set LOCAL_MODE_PUBLIC=1 to accept an open API)",
      );
    }
    c.set("user", LOCAL_USER);
    return next();
  }
  let user: AuthUser;
  try {
    user = await saasUser(c);
  } catch (e) {
    if (!(e instanceof AppError) || e.code !== "unauthorized") throw e;
    return c.json(e.toEnvelope(), 401, { "WWW-Authenticate": 'Bearer realm="proximus", error="invalid_token"' });
  }
  c.set("user", user);
  return next();
});
