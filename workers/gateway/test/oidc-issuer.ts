import { createHash, randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { SignJWT, exportJWK, generateKeyPair, type CryptoKey, type JWK } from "jose";

/**
 * A small but real OpenID Provider for tests: discovery, JWKS, the authorization endpoint
 * (auto-consent; `login_hint` picks the account) and the token endpoint with client
 * authentication and PKCE S256 verification, all on the OIDC/OAuth wire protocol.
 *
 * `x_tamper` on the authorize request makes the ID token wrong in one way, so the gateway's
 * checks can be proved one by one: nonce, aud, iss, expired, signature, unverified, no-email.
 */
export interface TestIssuer {
  url: string;
  clientId: string;
  clientSecret: string;
  stop(): Promise<void>;
}

interface PendingCode {
  clientId: string;
  redirectUri: string;
  challenge: string;
  nonce: string;
  account: string;
  tamper: string;
}

const b64url = (b: Buffer) => b.toString("base64url");

export async function startTestIssuer(opts: { clientId: string; redirectUris: string[] }): Promise<TestIssuer> {
  const clientSecret = b64url(randomBytes(24));
  const kid = "issuer-key-1";
  const { privateKey, publicKey } = await generateKeyPair("RS256", { extractable: true });
  const rogue = await generateKeyPair("RS256");
  const publicJwk: JWK = { ...(await exportJWK(publicKey)), kid, alg: "RS256", use: "sig" };
  const codes = new Map<string, PendingCode>();
  const stats = { discovery: 0, jwks: 0, token: 0 };
  let base = "";

  const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { "content-type": "application/json", "cache-control": "no-store", ...headers });
    res.end(JSON.stringify(body));
  };
  const readBody = (req: IncomingMessage) =>
    new Promise<string>((resolve, reject) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
      req.on("error", reject);
    });

  async function idToken(p: PendingCode): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    const t = p.tamper;
    const claims: Record<string, unknown> = {
      nonce: t === "nonce" ? "not-the-nonce-you-sent" : p.nonce,
      name: p.account[0]!.toUpperCase() + p.account.slice(1),
      azp: p.clientId,
    };
    if (t !== "no-email") {
      claims.email = `${p.account}@example.test`;
      claims.email_verified = t !== "unverified";
    }
    let key: CryptoKey = privateKey;
    if (t === "signature") key = rogue.privateKey;
    return new SignJWT(claims)
      .setProtectedHeader({ alg: "RS256", kid, typ: "JWT" })
      .setIssuer(t === "iss" ? "https://evil.example" : base)
      .setSubject(`sub-${p.account}`)
      .setAudience(t === "aud" ? "some-other-client" : p.clientId)
      .setIssuedAt(t === "expired" ? now - 7200 : now)
      .setExpirationTime(t === "expired" ? now - 3600 : now + 300)
      .sign(key);
  }

  async function token(req: IncomingMessage, res: ServerResponse) {
    stats.token++;
    const form = new URLSearchParams(await readBody(req));
    let clientId = form.get("client_id") ?? "";
    let secret = form.get("client_secret") ?? "";
    const basic = /^Basic (.+)$/.exec(req.headers.authorization ?? "");
    if (basic?.[1]) {
      const [id, s] = Buffer.from(basic[1], "base64")
        .toString("utf8")
        .split(":")
        .map((x) => decodeURIComponent(x.replace(/\+/g, " ")));
      clientId = id ?? "";
      secret = s ?? "";
    }
    if (clientId !== opts.clientId || secret !== clientSecret) return send(res, 401, { error: "invalid_client" });
    if (form.get("grant_type") !== "authorization_code") return send(res, 400, { error: "unsupported_grant_type" });
    const code = form.get("code") ?? "";
    const p = codes.get(code);
    codes.delete(code); // single use, even when the rest fails
    if (!p || p.clientId !== clientId || p.redirectUri !== form.get("redirect_uri")) return send(res, 400, { error: "invalid_grant" });
    const verifier = form.get("code_verifier") ?? "";
    if (b64url(createHash("sha256").update(verifier).digest()) !== p.challenge)
      return send(res, 400, { error: "invalid_grant", error_description: "PKCE verification failed" });
    send(res, 200, {
      access_token: b64url(randomBytes(24)),
      token_type: "Bearer",
      expires_in: 300,
      scope: "openid email profile",
      id_token: await idToken(p),
    });
  }

  function authorize(url: URL, res: ServerResponse) {
    const q = url.searchParams;
    const redirectUri = q.get("redirect_uri") ?? "";
    // Never redirect to an unregistered URI: errors before that are shown to the user, not sent back.
    if (q.get("client_id") !== opts.clientId || !opts.redirectUris.includes(redirectUri))
      return send(res, 400, { error: "invalid_request", error_description: "unknown client or redirect_uri" });
    const back = new URL(redirectUri);
    const state = q.get("state");
    if (state) back.searchParams.set("state", state);
    const fail = (error: string) => {
      back.searchParams.set("error", error);
      res.writeHead(302, { location: back.toString() }).end();
    };
    if (q.get("response_type") !== "code") return fail("unsupported_response_type");
    if (!(q.get("scope") ?? "").split(" ").includes("openid")) return fail("invalid_scope");
    if (q.get("code_challenge_method") !== "S256" || !/^[A-Za-z0-9_-]{43}$/.test(q.get("code_challenge") ?? ""))
      return fail("invalid_request");
    if (q.get("x_deny") === "1") return fail("access_denied");
    const code = b64url(randomBytes(24));
    codes.set(code, {
      clientId: opts.clientId,
      redirectUri,
      challenge: q.get("code_challenge")!,
      nonce: q.get("nonce") ?? "",
      account: (q.get("login_hint") ?? "alice").replace(/[^a-z0-9]/gi, "").toLowerCase() || "alice",
      tamper: q.get("x_tamper") ?? "",
    });
    back.searchParams.set("code", code);
    res.writeHead(302, { location: back.toString() }).end();
  }

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", base);
    const route = `${req.method} ${url.pathname}`;
    const done = (p: Promise<void> | void) =>
      void Promise.resolve(p).catch((e: unknown) => send(res, 500, { error: "server_error", error_description: String(e) }));
    if (route === "GET /.well-known/openid-configuration") {
      stats.discovery++;
      return send(res, 200, {
        issuer: base,
        authorization_endpoint: `${base}/authorize`,
        token_endpoint: `${base}/token`,
        jwks_uri: `${base}/jwks`,
        response_types_supported: ["code"],
        subject_types_supported: ["public"],
        id_token_signing_alg_values_supported: ["RS256"],
        code_challenge_methods_supported: ["S256"],
        token_endpoint_auth_methods_supported: ["client_secret_basic", "client_secret_post"],
        scopes_supported: ["openid", "email", "profile"],
      });
    }
    if (route === "GET /jwks") {
      stats.jwks++;
      return send(res, 200, { keys: [publicJwk] });
    }
    if (route === "GET /authorize") return authorize(url, res);
    if (route === "POST /token") return done(token(req, res));
    if (route === "GET /stats") return send(res, 200, stats);
    send(res, 404, { error: "not_found" });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: base,
    clientId: opts.clientId,
    clientSecret,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
