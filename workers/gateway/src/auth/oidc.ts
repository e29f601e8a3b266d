import { createRemoteJWKSet, errors, jwtVerify, type JWTVerifyGetKey } from "jose";
import { z } from "zod";
import { AppError } from "@proximus/contracts";
import type { SaasConfig } from "./config";
import { timingSafeEqual } from "./crypto";

/** The subset of OpenID Provider Metadata (OIDC Discovery 1.0 §3) the code flow needs. */
const Discovery = z.object({
  issuer: z.string(),
  authorization_endpoint: z.url(),
  token_endpoint: z.url(),
  jwks_uri: z.url(),
  id_token_signing_alg_values_supported: z.array(z.string()).optional(),
  code_challenge_methods_supported: z.array(z.string()).optional(),
  token_endpoint_auth_methods_supported: z.array(z.string()).optional(),
});
export type Discovery = z.infer<typeof Discovery>;

const DISCOVERY_TTL_MS = 60 * 60 * 1000;
const FETCH_TIMEOUT_MS = 5_000;
/** Asymmetric algorithms only: an ID token is never accepted on a shared-secret signature. */
const ASYMMETRIC = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA", "Ed25519"];

const discoveries = new Map<string, { doc: Discovery; at: number }>();
const keySets = new Map<string, JWTVerifyGetKey>();

async function fetchJson(url: string, init: RequestInit, what: string): Promise<unknown> {
  let res: Response;
  try {
    res = await fetch(url, { ...init, signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
  } catch (e) {
    console.error(`${what} unreachable`, e instanceof Error ? e.message : String(e));
    throw new AppError("upstream_failed", `the identity provider is unreachable (${what})`);
  }
  const text = await res.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new AppError("upstream_failed", `the identity provider sent a non-JSON ${what} (HTTP ${res.status})`);
  }
  if (!res.ok) {
    const code = z.object({ error: z.string().max(100) }).safeParse(body);
    throw new AppError("unauthorized", `the identity provider refused the ${what}`, {
      status: res.status,
      error: code.success ? code.data.error : undefined,
    });
  }
  return body;
}

/** Discovery metadata, cached per issuer; its `issuer` must equal ours exactly (OIDC Discovery §4.3). */
export async function discover(issuer: string, now = Date.now()): Promise<Discovery> {
  const hit = discoveries.get(issuer);
  if (hit && now - hit.at < DISCOVERY_TTL_MS) return hit.doc;
  const url = `${issuer.replace(/\/$/, "")}/.well-known/openid-configuration`;
  const parsed = Discovery.safeParse(await fetchJson(url, { headers: { accept: "application/json" } }, "discovery document"));
  if (!parsed.success) throw new AppError("upstream_failed", "the identity provider's discovery document is invalid");
  const doc = parsed.data;
  if (doc.issuer !== issuer) throw new AppError("upstream_failed", "the discovery document names a different issuer");
  if (doc.code_challenge_methods_supported && !doc.code_challenge_methods_supported.includes("S256")) {
    throw new AppError("upstream_failed", "the identity provider does not support PKCE S256");
  }
  discoveries.set(issuer, { doc, at: now });
  return doc;
}

/** jose caches the key set and refetches (rate-limited) when a token names an unknown kid. */
function keySet(jwksUri: string): JWTVerifyGetKey {
  let ks = keySets.get(jwksUri);
  if (!ks) {
    ks = createRemoteJWKSet(new URL(jwksUri), { timeoutDuration: FETCH_TIMEOUT_MS, cooldownDuration: 30_000, cacheMaxAge: 10 * 60_000 });
    keySets.set(jwksUri, ks);
  }
  return ks;
}

export function authorizeUrl(d: Discovery, cfg: SaasConfig, p: { state: string; nonce: string; challenge: string }): string {
  const u = new URL(d.authorization_endpoint);
  u.searchParams.set("response_type", "code");
  u.searchParams.set("client_id", cfg.clientId);
  u.searchParams.set("redirect_uri", cfg.redirectUri);
  u.searchParams.set("scope", cfg.scopes);
  u.searchParams.set("state", p.state);
  u.searchParams.set("nonce", p.nonce);
  u.searchParams.set("code_challenge", p.challenge);
  u.searchParams.set("code_challenge_method", "S256");
  return u.toString();
}

const TokenResponse = z.object({ id_token: z.string().min(1), token_type: z.string().optional() });

/** The authorization-code grant (RFC 6749 §4.1.3) with the PKCE verifier. */
export async function exchangeCode(d: Discovery, cfg: SaasConfig, code: string, verifier: string): Promise<string> {
  const form = new URLSearchParams({ grant_type: "authorization_code", code, redirect_uri: cfg.redirectUri, code_verifier: verifier });
  const headers: Record<string, string> = { "content-type": "application/x-www-form-urlencoded", accept: "application/json" };
  const methods = d.token_endpoint_auth_methods_supported ?? ["client_secret_basic"];
  if (methods.includes("client_secret_basic")) {
    // RFC 6749 §2.3.1: both parts form-urlencoded before base64.
    const enc = (s: string) => encodeURIComponent(s).replace(/%20/g, "+");
    headers.authorization = `Basic ${btoa(`${enc(cfg.clientId)}:${enc(cfg.clientSecret)}`)}`;
  } else {
    form.set("client_id", cfg.clientId);
    form.set("client_secret", cfg.clientSecret);
  }
  const parsed = TokenResponse.safeParse(await fetchJson(d.token_endpoint, { method: "POST", headers, body: form }, "token request"));
  if (!parsed.success) throw new AppError("upstream_failed", "the identity provider's token response has no id_token");
  return parsed.data.id_token;
}

const IdClaims = z.object({
  sub: z.string().min(1).max(255),
  nonce: z.string(),
  email: z.email().max(320).optional(),
  // Some providers send the boolean as a string.
  email_verified: z.union([z.boolean(), z.enum(["true", "false"]).transform((s) => s === "true")]).optional(),
  name: z.string().max(200).optional(),
  azp: z.string().optional(),
});

export interface Identity {
  issuer: string;
  subject: string;
  email: string;
  name: string;
}

/** OIDC Core §3.1.3.7: signature (issuer's JWKS), iss, aud, exp/iat, nonce, azp. */
export async function verifyIdToken(d: Discovery, cfg: SaasConfig, idToken: string, nonce: string): Promise<Identity> {
  const offered = d.id_token_signing_alg_values_supported ?? ["RS256"];
  const algorithms = offered.filter((a) => ASYMMETRIC.includes(a));
  let payload: unknown;
  let aud: string | string[] | undefined;
  try {
    const r = await jwtVerify(idToken, keySet(d.jwks_uri), {
      issuer: d.issuer,
      audience: cfg.clientId,
      algorithms,
      requiredClaims: ["sub", "iat", "exp"],
      clockTolerance: 60,
    });
    payload = r.payload;
    aud = r.payload.aud;
  } catch (e) {
    const why = e instanceof errors.JOSEError ? e.code : "invalid";
    throw new AppError("unauthorized", "the ID token from the identity provider is not valid", { reason: why });
  }
  const claims = IdClaims.safeParse(payload);
  if (!claims.success) throw new AppError("unauthorized", "the ID token lacks required claims (sub, nonce)");
  const c = claims.data;
  if (!timingSafeEqual(c.nonce, nonce)) throw new AppError("unauthorized", "the ID token's nonce does not match this login");
  if (Array.isArray(aud) && aud.length > 1 && c.azp !== cfg.clientId)
    throw new AppError("unauthorized", "the ID token was issued to another client");
  if (!c.email) throw new AppError("forbidden", "the identity provider returned no email; request the `email` scope");
  // An unverified address could squat someone else's (emails are unique here).
  if (c.email_verified === false) throw new AppError("forbidden", "verify your email address with the identity provider first");
  return { issuer: d.issuer, subject: c.sub, email: c.email.toLowerCase(), name: c.name ?? c.email };
}
