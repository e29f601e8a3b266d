import { SignJWT, UnsecuredJWT, base64url } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import { AppError } from "@proximus/contracts";
import { mintAccessToken, verifyAccessToken, type TokenSettings } from "./access-token";
import { signingKey, type SigningKey } from "./keys";
import { generatePrivateJwk } from "./test-keys";

const S: TokenSettings = { jwtIssuer: "urn:proximus:gateway", jwtAudience: "urn:proximus:api", accessTtlS: 900 };
const USER = { id: "u-1", email: "ada@example.test", name: "Ada" };
const now = () => Math.floor(Date.now() / 1000);

let key: SigningKey;
let other: SigningKey;
beforeAll(async () => {
  key = await signingKey(await generatePrivateJwk("kid-main"));
  other = await signingKey(await generatePrivateJwk("kid-other"));
});

async function rejected(token: string): Promise<string> {
  try {
    await verifyAccessToken(key, S, token);
  } catch (e) {
    expect(e).toBeInstanceOf(AppError);
    expect((e as AppError).code).toBe("unauthorized");
    return (e as AppError).message;
  }
  throw new Error("token was accepted");
}

/** A token shaped exactly like ours, with one thing changed. */
function forge(over: { iss?: string; aud?: string; iat?: number; nbf?: number; exp?: number; typ?: string; kid?: string } = {}) {
  const t = now();
  return new SignJWT({ email: USER.email, name: USER.name })
    .setProtectedHeader({ alg: "RS256", kid: over.kid ?? key.kid, typ: over.typ ?? "at+jwt" })
    .setSubject(USER.id)
    .setIssuer(over.iss ?? S.jwtIssuer)
    .setAudience(over.aud ?? S.jwtAudience)
    .setIssuedAt(over.iat ?? t)
    .setNotBefore(over.nbf ?? t)
    .setExpirationTime(over.exp ?? t + 900);
}

describe("access tokens", () => {
  it("round-trip: a minted token names its user and expires in 15 minutes", async () => {
    const { token, expiresAt } = await mintAccessToken(key, S, USER);
    expect(expiresAt - now()).toBeGreaterThanOrEqual(899);
    expect(await verifyAccessToken(key, S, token)).toEqual(USER);
    const header = JSON.parse(new TextDecoder().decode(base64url.decode(token.split(".")[0]!))) as Record<string, string>;
    expect(header).toEqual({ alg: "RS256", kid: "kid-main", typ: "at+jwt" });
    // The forger below is accepted when unchanged, so each rejection below is caused by its one change.
    expect(await verifyAccessToken(key, S, await forge().sign(key.privateKey))).toEqual(USER);
  });

  it("rejects alg none", async () => {
    const t = now();
    const unsecured = new UnsecuredJWT({ email: USER.email, name: USER.name })
      .setSubject(USER.id)
      .setIssuer(S.jwtIssuer)
      .setAudience(S.jwtAudience)
      .setIssuedAt(t)
      .setNotBefore(t)
      .setExpirationTime(t + 900)
      .encode();
    expect(unsecured.endsWith(".")).toBe(true);
    await rejected(unsecured);
    // Also with our kid and typ in the header.
    const header = base64url.encode(JSON.stringify({ alg: "none", kid: key.kid, typ: "at+jwt" }));
    await rejected(`${header}.${unsecured.split(".")[1]}.`);
  });

  it("rejects HS256 signed with the public key (algorithm confusion)", async () => {
    const secret = new TextEncoder().encode(JSON.stringify(key.publicJwk));
    const t = now();
    const hs = await new SignJWT({ email: USER.email, name: USER.name })
      .setProtectedHeader({ alg: "HS256", kid: key.kid, typ: "at+jwt" })
      .setSubject(USER.id)
      .setIssuer(S.jwtIssuer)
      .setAudience(S.jwtAudience)
      .setIssuedAt(t)
      .setNotBefore(t)
      .setExpirationTime(t + 900)
      .sign(secret);
    await rejected(hs);
  });

  it("rejects a wrong or missing kid, and a token signed by another key under our kid", async () => {
    await rejected(await forge({ kid: "kid-other" }).sign(key.privateKey));
    await rejected(await forge({ kid: "kid-other" }).sign(other.privateKey));
    await rejected(await forge().sign(other.privateKey));
    const t = now();
    const noKid = await new SignJWT({ email: USER.email, name: USER.name })
      .setProtectedHeader({ alg: "RS256", typ: "at+jwt" })
      .setSubject(USER.id)
      .setIssuer(S.jwtIssuer)
      .setAudience(S.jwtAudience)
      .setIssuedAt(t)
      .setNotBefore(t)
      .setExpirationTime(t + 900)
      .sign(key.privateKey);
    await rejected(noKid);
  });

  it("rejects expired and not-yet-valid tokens", async () => {
    const t = now();
    expect(await rejected(await forge({ iat: t - 1000, nbf: t - 1000, exp: t - 60 }).sign(key.privateKey))).toBe("access token expired");
    await rejected(await forge({ nbf: t + 600 }).sign(key.privateKey));
  });

  it("rejects a wrong issuer, audience or typ", async () => {
    await rejected(await forge({ iss: "https://evil.example" }).sign(key.privateKey));
    await rejected(await forge({ aud: "some-other-api" }).sign(key.privateKey));
    // e.g. an OIDC state cookie we signed ourselves is not an access token.
    await rejected(await forge({ typ: "JWT" }).sign(key.privateKey));
  });

  it("rejects a tampered payload and garbage", async () => {
    const { token } = await mintAccessToken(key, S, USER);
    const [h, p, sig] = token.split(".") as [string, string, string];
    const claims = JSON.parse(new TextDecoder().decode(base64url.decode(p))) as Record<string, unknown>;
    const tampered = base64url.encode(JSON.stringify({ ...claims, sub: "someone-else" }));
    await rejected(`${h}.${tampered}.${sig}`);
    await rejected("not-a-jwt");
    await rejected(`${h}.${p}`);
  });
});
