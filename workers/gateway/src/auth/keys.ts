import { calculateJwkThumbprint, importJWK, type CryptoKey, type JWK } from "jose";
import { z } from "zod";
import { AppError } from "@proximus/contracts";

/** The gateway's RS256 signing key, from the JWT_PRIVATE_JWK secret. */
export interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
  publicKey: CryptoKey;
  /** What /.well-known/jwks.json publishes. */
  publicJwk: JWK;
}

const b64u = z.string().regex(/^[A-Za-z0-9_-]+$/);
const PrivateRsaJwk = z.object({
  kty: z.literal("RSA"),
  n: b64u.min(342, "RSA keys must be at least 2048 bits"),
  e: b64u,
  d: b64u,
  p: b64u,
  q: b64u,
  dp: b64u,
  dq: b64u,
  qi: b64u,
  kid: z.string().min(1).max(128).optional(),
  alg: z.literal("RS256").optional(),
});

const cache = new Map<string, Promise<SigningKey>>();

async function load(secret: string): Promise<SigningKey> {
  let raw: unknown;
  try {
    raw = JSON.parse(secret);
  } catch {
    throw new AppError("internal", "JWT_PRIVATE_JWK is not valid JSON");
  }
  const parsed = PrivateRsaJwk.safeParse(raw);
  if (!parsed.success) throw new AppError("internal", "JWT_PRIVATE_JWK must be a private RSA JWK (RS256, ≥ 2048 bits)");
  const jwk = parsed.data;
  const pub = { kty: "RSA", n: jwk.n, e: jwk.e };
  // Without an explicit kid, the RFC 7638 thumbprint is a stable one.
  const kid = jwk.kid ?? (await calculateJwkThumbprint(pub));
  const publicJwk: JWK = { ...pub, kid, alg: "RS256", use: "sig" };
  const privateKey = await importJWK({ ...jwk, alg: "RS256" }, "RS256");
  const publicKey = await importJWK(publicJwk, "RS256");
  if (privateKey instanceof Uint8Array || publicKey instanceof Uint8Array)
    throw new AppError("internal", "JWT_PRIVATE_JWK is not an RSA key");
  return { kid, privateKey, publicKey, publicJwk };
}

export function signingKey(secret: string): Promise<SigningKey> {
  let p = cache.get(secret);
  if (!p) {
    p = load(secret);
    // A bad secret is not cached, so fixing it takes effect without a restart.
    void p.catch(() => cache.delete(secret));
    cache.set(secret, p);
  }
  return p;
}
