import { SignJWT, jwtVerify } from "jose";
import { z } from "zod";
import { AppError } from "@proximus/contracts";
import type { SigningKey } from "./keys";

/**
 * The state, nonce and PKCE verifier of one login, kept in a short-lived HttpOnly cookie signed
 * with the gateway's key, so no server storage is needed between /auth/login and /auth/callback.
 * Its own `typ` and audience keep it from ever passing as an access token (and vice versa).
 */
const TYP = "oidc-login+jwt";
export const LOGIN_TTL_S = 600;

export const LoginState = z.object({
  state: z.string().min(32),
  nonce: z.string().min(32),
  verifier: z.string().min(43).max(128),
  redirect: z.string(),
});
export type LoginState = z.infer<typeof LoginState>;

const audience = (jwtAudience: string) => `${jwtAudience}#login`;

export function sealLoginState(key: SigningKey, jwtIssuer: string, jwtAudience: string, s: LoginState): Promise<string> {
  return new SignJWT({ ...s })
    .setProtectedHeader({ alg: "RS256", kid: key.kid, typ: TYP })
    .setIssuer(jwtIssuer)
    .setAudience(audience(jwtAudience))
    .setIssuedAt()
    .setExpirationTime(`${LOGIN_TTL_S}s`)
    .sign(key.privateKey);
}

export async function openLoginState(
  key: SigningKey,
  jwtIssuer: string,
  jwtAudience: string,
  cookie: string | undefined,
): Promise<LoginState> {
  if (!cookie) throw new AppError("bad_request", "no login in progress in this browser; start again at /auth/login");
  try {
    const { payload } = await jwtVerify(cookie, key.publicKey, {
      algorithms: ["RS256"],
      typ: TYP,
      issuer: jwtIssuer,
      audience: audience(jwtAudience),
    });
    return LoginState.parse(payload);
  } catch {
    throw new AppError("bad_request", "the login expired or is invalid; start again at /auth/login");
  }
}

/** Only a same-origin path may be a post-login target: never `//host` or `/\host` (open redirect). */
export function safeRedirect(raw: string | undefined): string {
  if (!raw || !raw.startsWith("/") || raw.startsWith("//") || raw.startsWith("/\\") || raw.length > 2_000) return "/";
  if (/[\u0000-\u001f\u007f]/.test(raw)) return "/";
  return raw;
}
