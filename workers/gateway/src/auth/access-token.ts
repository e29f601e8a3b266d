import { SignJWT, errors, jwtVerify, type JWTHeaderParameters } from "jose";
import { z } from "zod";
import { AppError } from "@proximus/contracts";
import type { AuthUser } from "../app-env";
import type { SigningKey } from "./keys";

export interface TokenSettings {
  jwtIssuer: string;
  jwtAudience: string;
  accessTtlS: number;
}

/** RFC 9068's media type: keeps an access token from being confused with any other JWT we sign. */
export const ACCESS_TOKEN_TYP = "at+jwt";
/** Only what we mint. Anything else (none, HS256 keyed with our public key, …) is refused up front. */
const ALGORITHMS = ["RS256"];
const CLOCK_TOLERANCE_S = 5;

export async function mintAccessToken(key: SigningKey, s: TokenSettings, user: AuthUser, nowS = Math.floor(Date.now() / 1000)) {
  const expiresAt = nowS + s.accessTtlS;
  const token = await new SignJWT({ email: user.email, name: user.name })
    .setProtectedHeader({ alg: "RS256", kid: key.kid, typ: ACCESS_TOKEN_TYP })
    .setSubject(user.id)
    .setIssuer(s.jwtIssuer)
    .setAudience(s.jwtAudience)
    .setIssuedAt(nowS)
    .setNotBefore(nowS)
    .setExpirationTime(expiresAt)
    .setJti(crypto.randomUUID())
    .sign(key.privateKey);
  return { token, expiresAt };
}

const Claims = z.object({ sub: z.string().min(1), email: z.string(), name: z.string() });

/** The user an access token names, or a 401. Every check is jose's, with explicit options. */
export async function verifyAccessToken(key: SigningKey, s: TokenSettings, token: string): Promise<AuthUser> {
  try {
    const { payload } = await jwtVerify(
      token,
      (header: JWTHeaderParameters) => {
        // Only our current key; a token naming another kid (or none) is not ours.
        if (header.kid !== key.kid) throw new errors.JWKSNoMatchingKey();
        return key.publicKey;
      },
      {
        algorithms: ALGORITHMS,
        issuer: s.jwtIssuer,
        audience: s.jwtAudience,
        typ: ACCESS_TOKEN_TYP,
        requiredClaims: ["sub", "iat", "nbf", "exp"],
        clockTolerance: CLOCK_TOLERANCE_S,
      },
    );
    const claims = Claims.safeParse(payload);
    if (!claims.success) throw new AppError("unauthorized", "invalid access token");
    return { id: claims.data.sub, email: claims.data.email, name: claims.data.name };
  } catch (e) {
    if (e instanceof AppError) throw e;
    if (e instanceof errors.JWTExpired) throw new AppError("unauthorized", "access token expired");
    throw new AppError("unauthorized", "invalid access token");
  }
}
