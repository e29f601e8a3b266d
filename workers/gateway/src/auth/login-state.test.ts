import { describe, expect, it } from "vitest";
import { openLoginState, safeRedirect, sealLoginState } from "./login-state";
import { signingKey } from "./keys";
import { generatePrivateJwk } from "./test-keys";
import { pkceChallenge, randomToken } from "./crypto";

describe("post-login redirect", () => {
  it("keeps same-origin paths and drops everything else", () => {
    expect(safeRedirect("/projects/1?x=2#y")).toBe("/projects/1?x=2#y");
    for (const bad of [
      undefined,
      "",
      "https://evil.example",
      "//evil.example",
      "/\\evil.example",
      "javascript:alert(1)",
      "/a\nb",
      `/${"a".repeat(2_001)}`,
    ]) {
      expect(safeRedirect(bad)).toBe("/");
    }
  });
});

describe("login state cookie", () => {
  it("round-trips, and is refused under another key, issuer or audience", async () => {
    const key = await signingKey(await generatePrivateJwk());
    const other = await signingKey(await generatePrivateJwk());
    const s = { state: randomToken(), nonce: randomToken(), verifier: randomToken(48), redirect: "/" };
    const sealed = await sealLoginState(key, "iss", "aud", s);
    expect(await openLoginState(key, "iss", "aud", sealed)).toEqual(s);
    await expect(openLoginState(other, "iss", "aud", sealed)).rejects.toThrow(/invalid/);
    await expect(openLoginState(key, "iss2", "aud", sealed)).rejects.toThrow(/invalid/);
    await expect(openLoginState(key, "iss", "aud2", sealed)).rejects.toThrow(/invalid/);
    await expect(openLoginState(key, "iss", "aud", undefined)).rejects.toThrow(/no login in progress/);
  });

  it("computes the RFC 7636 S256 challenge", async () => {
    // The example from RFC 7636 Appendix B.
    expect(await pkceChallenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")).toBe("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
  });
});
