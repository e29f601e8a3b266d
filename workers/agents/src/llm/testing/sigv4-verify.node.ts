import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import type { Recorded } from "./server.node";

/**
 * Independent SigV4 check (AWS "Signature Version 4" spec), done with node:crypto so a bug in
 * aws4fetch or in how we call it fails the test rather than being mirrored by it.
 */
export interface VerifyOptions {
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
  service: string;
  now?: Date;
}

const rfc3986 = (s: string): string => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

function sha256Hex(data: string | Buffer): string {
  return createHash("sha256").update(data).digest("hex");
}

function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac("sha256", key).update(data, "utf8").digest();
}

export function verifySigV4(req: Recorded, opts: VerifyOptions): { ok: true } | { ok: false; reason: string } {
  const auth = req.headers.authorization;
  if (typeof auth !== "string") return { ok: false, reason: "missing Authorization" };
  const m =
    /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/.exec(
      auth,
    );
  if (!m) return { ok: false, reason: "malformed Authorization" };
  const [, akid, date, region, service, signedHeaders, signature] = m as unknown as [
    string,
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  if (akid !== opts.accessKeyId) return { ok: false, reason: "unknown access key" };
  if (region !== opts.region || service !== opts.service) return { ok: false, reason: `wrong scope ${region}/${service}` };
  const amzDate = req.headers["x-amz-date"];
  if (typeof amzDate !== "string" || !/^\d{8}T\d{6}Z$/.test(amzDate) || !amzDate.startsWith(date))
    return { ok: false, reason: "bad x-amz-date" };
  const ts = Date.UTC(
    +amzDate.slice(0, 4),
    +amzDate.slice(4, 6) - 1,
    +amzDate.slice(6, 8),
    +amzDate.slice(9, 11),
    +amzDate.slice(11, 13),
    +amzDate.slice(13, 15),
  );
  if (Math.abs((opts.now ?? new Date()).getTime() - ts) > 5 * 60_000) return { ok: false, reason: "request time too skewed" };

  const names = signedHeaders.split(";");
  if (!names.includes("host") || !names.includes("x-amz-date")) return { ok: false, reason: "host and x-amz-date must be signed" };
  const canonicalHeaders = names
    .map((n) => {
      const v = req.headers[n];
      const value = Array.isArray(v) ? v.join(",") : (v ?? "");
      return `${n}:${value.trim().replace(/\s+/g, " ")}\n`;
    })
    .join("");

  const [path, query = ""] = req.url.split("?") as [string, string | undefined];
  // Non-S3 services: each path segment is URI-encoded twice (the wire path is already once-encoded).
  const canonicalUri = path
    .split("/")
    .map((seg) => rfc3986(seg))
    .join("/");
  const canonicalQuery = query
    ? query
        .split("&")
        .map((kv) => kv.split("=").map((x) => rfc3986(decodeURIComponent(x))) as [string, string?])
        .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
        .map(([k, v]) => `${k}=${v ?? ""}`)
        .join("&")
    : "";
  const payloadHash = sha256Hex(Buffer.from(req.body, "utf8"));
  const declared = req.headers["x-amz-content-sha256"];
  if (typeof declared === "string" && declared !== payloadHash) return { ok: false, reason: "payload hash mismatch" };

  const canonicalRequest = [req.method, canonicalUri, canonicalQuery, canonicalHeaders, signedHeaders, payloadHash].join("\n");
  const scope = `${date}/${region}/${service}/aws4_request`;
  const stringToSign = ["AWS4-HMAC-SHA256", amzDate, scope, sha256Hex(canonicalRequest)].join("\n");
  const kSigning = hmac(hmac(hmac(hmac(`AWS4${opts.secretAccessKey}`, date), region), service), "aws4_request");
  const expected = createHmac("sha256", kSigning).update(stringToSign, "utf8").digest();
  const given = Buffer.from(signature, "hex");
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: "signature mismatch" };
  return { ok: true };
}
