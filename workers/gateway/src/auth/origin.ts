import type { Context, MiddlewareHandler } from "hono";
import { cors } from "hono/cors";
import { createMiddleware } from "hono/factory";
import { AppError } from "@proximus/contracts";
import type { AppEnv } from "../app-env";
import { httpConfig } from "./config";

const SAFE = new Set(["GET", "HEAD", "OPTIONS"]);

export const isUpgrade = (c: Context) => c.req.header("upgrade")?.toLowerCase() === "websocket";

/** The gateway's own origin (it serves the dashboard) plus the configured CORS_ORIGINS. */
export function originAllowed(c: Context<AppEnv>, origin: string): boolean {
  return origin === new URL(c.req.url).origin || httpConfig(c.env).corsOrigins.has(origin);
}

const refuse = (c: Context<AppEnv>, why: string) => c.json(new AppError("forbidden", why).toEnvelope(), 403);

/**
 * CSRF and cross-site WebSocket hijacking defence: a browser names the page that made a request
 * in `Origin`; a state-changing request or a WebSocket upgrade from a page we do not serve is
 * refused. Requests without Origin (curl, the CLI) carry no ambient browser credentials here,
 * except on the cookie routes, which use `cookieRoute` instead.
 */
export const originCheck = createMiddleware<AppEnv>(async (c, next) => {
  if (SAFE.has(c.req.method) && !isUpgrade(c)) return next();
  const origin = c.req.header("origin");
  if (origin !== undefined && !originAllowed(c, origin)) return refuse(c, "cross-origin request refused");
  return next();
});

/**
 * The refresh cookie is the one ambient credential, so its routes demand proof of a same-origin
 * (or allowed-origin) caller: an allowed Origin, or, where a browser omits it, Sec-Fetch-Site.
 */
export const cookieRoute = createMiddleware<AppEnv>(async (c, next) => {
  const origin = c.req.header("origin");
  const site = c.req.header("sec-fetch-site");
  const ok = origin !== undefined ? originAllowed(c, origin) : site === "same-origin";
  if (!ok) return refuse(c, "this request must come from the dashboard (Origin check failed)");
  return next();
});

/** CORS for the configured dashboard origins only; WebSocket upgrades are left alone (their 101 is immutable). */
export function corsForDashboards(): MiddlewareHandler<AppEnv> {
  const mw = cors({
    origin: (origin, c: Context<AppEnv>) => (httpConfig(c.env).corsOrigins.has(origin) ? origin : null),
    credentials: true,
    allowMethods: ["GET", "POST", "PUT", "DELETE", "OPTIONS"],
    allowHeaders: ["authorization", "content-type", "idempotency-key", "traceparent"],
    exposeHeaders: ["retry-after", "location", "idempotency-replayed"],
    maxAge: 600,
  });
  return (c, next) => (isUpgrade(c) ? next() : mw(c, next));
}
