import { createHash } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { AppError } from "@proximus/contracts/errors";
import { CONTENT_SHA256_HEADER, NONCE_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER } from "@proximus/contracts/sandbox";
import type { RequestAuth } from "./auth";

/**
 * Reads a body whose length and digest the (already verified) signature vouches for: never more
 * than the declared length, hashed as it arrives, refused if the digest differs.
 */
export function readSignedBody(req: IncomingMessage, declaredLength: number, expectedSha256: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const hash = createHash("sha256");
    let size = 0;
    req.on("data", (c: Buffer) => {
      size += c.length;
      // Node's parser frames by content-length already; this is the belt to its braces.
      if (size > declaredLength) {
        req.destroy();
        reject(new AppError("payload_too_large", `request body exceeds its declared ${declaredLength} bytes`));
        return;
      }
      hash.update(c);
      chunks.push(c);
    });
    req.on("end", () => {
      if (size !== declaredLength) return reject(new AppError("bad_request", `request body is ${size} bytes, declared ${declaredLength}`));
      if (hash.digest("hex") !== expectedSha256) {
        return reject(new AppError("unauthorized", "request signature rejected: body does not match the signed digest"));
      }
      resolve(Buffer.concat(chunks).toString("utf8"));
    });
    req.on("error", reject);
    req.on("aborted", () => reject(new AppError("bad_request", "request body aborted")));
  });
}

/** The declared body length, or an error for a missing, chunked or oversized one, before any body byte is read. */
export function declaredLength(req: IncomingMessage, max: number): number {
  const raw = req.headers["content-length"];
  if (req.headers["transfer-encoding"] !== undefined || raw === undefined) {
    throw new AppError("bad_request", "content-length is required (chunked bodies are not accepted)");
  }
  if (!/^\d{1,12}$/.test(raw)) throw new AppError("bad_request", "malformed content-length");
  const n = Number(raw);
  if (n > max) throw new AppError("payload_too_large", `request body of ${n} bytes exceeds ${max} bytes`);
  return n;
}

/**
 * The one way a route reads its body: declared length and signature first (an unsigned request
 * never gets a body byte read, let alone buffered), then the body against its signed digest, as JSON.
 */
export async function readVerifiedBody(req: IncomingMessage, auth: RequestAuth, path: string, maxBytes: number): Promise<unknown> {
  const header = (n: string) => {
    const v = req.headers[n];
    return Array.isArray(v) ? v[0] : v;
  };
  const length = declaredLength(req, maxBytes);
  const contentSha256 = header(CONTENT_SHA256_HEADER);
  await auth.verifyHead("POST", path, {
    timestamp: header(TIMESTAMP_HEADER),
    nonce: header(NONCE_HEADER),
    signature: header(SIGNATURE_HEADER),
    contentLength: length,
    contentSha256,
  });
  const body = await readSignedBody(req, length, contentSha256 ?? "");
  try {
    return JSON.parse(body) as unknown;
  } catch {
    throw new AppError("bad_request", "body is not valid JSON");
  }
}
