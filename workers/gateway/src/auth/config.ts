import { z } from "zod";
import { AppError } from "@proximus/contracts";

const perMinute = (fallback: number) => z.coerce.number().int().min(0).max(1_000_000).catch(fallback);

const origins = z
  .string()
  .optional()
  .transform((s) =>
    (s ?? "")
      .split(",")
      .map((o) => o.trim().replace(/\/$/, ""))
      .filter(Boolean),
  );

const HttpVars = z.object({
  CORS_ORIGINS: origins,
  RATE_LIMIT_IP_PER_MIN: perMinute(600),
  RATE_LIMIT_USER_PER_MIN: perMinute(300),
  RATE_LIMIT_AUTH_PER_MIN: perMinute(30),
});

export interface HttpConfig {
  corsOrigins: ReadonlySet<string>;
  rateLimitIpPerMin: number;
  rateLimitUserPerMin: number;
  rateLimitAuthPerMin: number;
}

const httpCache = new WeakMap<object, HttpConfig>();

/** CORS and rate limits apply in both auth modes. A malformed number falls back to its default. */
export function httpConfig(env: Env): HttpConfig {
  const hit = httpCache.get(env);
  if (hit) return hit;
  const v = HttpVars.parse(env);
  const cfg: HttpConfig = {
    corsOrigins: new Set(v.CORS_ORIGINS),
    rateLimitIpPerMin: v.RATE_LIMIT_IP_PER_MIN,
    rateLimitUserPerMin: v.RATE_LIMIT_USER_PER_MIN,
    rateLimitAuthPerMin: v.RATE_LIMIT_AUTH_PER_MIN,
  };
  httpCache.set(env, cfg);
  return cfg;
}

export const AuthMode = z.enum(["local", "saas"]);
export type AuthMode = z.infer<typeof AuthMode>;

/** An unknown AUTH_MODE fails closed: it must never fall back to the no-login local mode. */
export function authMode(env: Env): AuthMode {
  const m = AuthMode.safeParse(env.AUTH_MODE);
  if (!m.success) throw new AppError("internal", "AUTH_MODE must be local or saas");
  return m.data;
}

const isLoopback = (u: URL) => ["localhost", "127.0.0.1", "[::1]"].includes(u.hostname);
/** https, except for a loopback issuer (development and tests). */
const secureUrl = z.url().refine((s) => {
  const u = new URL(s);
  return u.protocol === "https:" || (u.protocol === "http:" && isLoopback(u));
}, "must be an https URL");

const SaasVars = z.object({
  OIDC_ISSUER: secureUrl.default("https://accounts.google.com"),
  OIDC_CLIENT_ID: z.string().min(1),
  OIDC_CLIENT_SECRET: z.string().min(1),
  OIDC_REDIRECT_URI: z.url(),
  OIDC_SCOPES: z.string().default("openid email profile"),
  JWT_PRIVATE_JWK: z.string().min(1),
  JWT_ISSUER: z.string().min(1).default("urn:proximus:gateway"),
  JWT_AUDIENCE: z.string().min(1).default("urn:proximus:api"),
  ACCESS_TOKEN_TTL_S: z.coerce.number().int().min(60).max(3_600).default(900),
  REFRESH_TOKEN_TTL_S: z.coerce
    .number()
    .int()
    .min(3_600)
    .max(90 * 86_400)
    .default(30 * 86_400),
});

export interface SaasConfig {
  issuer: string;
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  scopes: string;
  privateJwk: string;
  jwtIssuer: string;
  jwtAudience: string;
  accessTtlS: number;
  refreshTtlS: number;
}

const saasCache = new WeakMap<object, SaasConfig>();
const blankToUndefined = (env: Env) => Object.fromEntries(Object.entries(env).map(([k, v]) => [k, v === "" ? undefined : v]));

/** SaaS settings, validated once per env. Missing settings are named (never their values). */
export function saasConfig(env: Env): SaasConfig {
  const hit = saasCache.get(env);
  if (hit) return hit;
  const r = SaasVars.safeParse(blankToUndefined(env));
  if (!r.success) {
    const fields = [...new Set(r.error.issues.map((i) => String(i.path[0])))];
    console.error("SaaS auth is misconfigured:", fields.join(", "));
    throw new AppError("internal", "SaaS login is not configured on this server", { missing: fields });
  }
  const v = r.data;
  const cfg: SaasConfig = {
    issuer: v.OIDC_ISSUER,
    clientId: v.OIDC_CLIENT_ID,
    clientSecret: v.OIDC_CLIENT_SECRET,
    redirectUri: v.OIDC_REDIRECT_URI,
    scopes: v.OIDC_SCOPES,
    privateJwk: v.JWT_PRIVATE_JWK,
    jwtIssuer: v.JWT_ISSUER,
    jwtAudience: v.JWT_AUDIENCE,
    accessTtlS: v.ACCESS_TOKEN_TTL_S,
    refreshTtlS: v.REFRESH_TOKEN_TTL_S,
  };
  saasCache.set(env, cfg);
  return cfg;
}
