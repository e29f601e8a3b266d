import { createMiddleware } from "hono/factory";
import type { Context } from "hono";
import { AppError } from "@proximus/contracts";
import { httpConfig } from "../auth/config";
import type { AppEnv } from "../app-env";
import type { TakeResult } from "./bucket";

type Scope = "ip" | "auth-ip" | "user";

/** Behind Cloudflare the client address is in CF-Connecting-IP (clients cannot forge it there). */
export function clientIp(c: Context<AppEnv>): string {
  return c.req.header("cf-connecting-ip") ?? "unknown";
}

async function takeToken(env: Env, key: string, perMinute: number): Promise<TakeResult | null> {
  try {
    return await env.RATE_LIMITER.getByName(key).take(perMinute);
  } catch (e) {
    // Failing open: a broken limiter must not take the whole API down with it.
    console.error("rate limiter unavailable", e instanceof Error ? e.message : String(e));
    return null;
  }
}

/**
 * 429 with the error envelope and Retry-After once the scope's bucket is empty. Nothing is added to
 * allowed responses: a WebSocket 101 from the ProjectDO has immutable headers.
 */
export function rateLimit(scope: Scope) {
  return createMiddleware<AppEnv>(async (c, next) => {
    const cfg = httpConfig(c.env);
    const perMinute = scope === "ip" ? cfg.rateLimitIpPerMin : scope === "auth-ip" ? cfg.rateLimitAuthPerMin : cfg.rateLimitUserPerMin;
    if (perMinute <= 0) return next();
    const key = scope === "user" ? `user:${c.var.user.id}` : `${scope}:${clientIp(c)}`;
    const r = await takeToken(c.env, key, perMinute);
    if (r && !r.ok) {
      const err = new AppError("rate_limited", `too many requests; retry in ${r.retryAfterS} s`, { scope, limitPerMinute: perMinute });
      return c.json(err.toEnvelope(), 429, { "Retry-After": String(r.retryAfterS) });
    }
    return next();
  });
}
