import { base64url } from "jose";
import { sha256 } from "@proximus/shared/sha256";

/** `bytes` of CSPRNG output, base64url: tokens, PKCE verifiers, state and nonce values. */
export function randomToken(bytes = 32): string {
  return base64url.encode(crypto.getRandomValues(new Uint8Array(bytes)));
}

export { sha256, sha256Hex } from "@proximus/shared/sha256";

/** RFC 7636 S256: BASE64URL(SHA256(ASCII(code_verifier))). */
export async function pkceChallenge(verifier: string): Promise<string> {
  return base64url.encode(await sha256(verifier));
}

/** Compares secrets without an early exit that would time-leak the matching prefix. */
export function timingSafeEqual(a: string, b: string): boolean {
  const x = new TextEncoder().encode(a);
  const y = new TextEncoder().encode(b);
  let diff = x.length ^ y.length;
  for (let i = 0; i < Math.max(x.length, y.length); i++) diff |= (x[i] ?? 0) ^ (y[i] ?? 0);
  return diff === 0;
}
