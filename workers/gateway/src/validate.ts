import type { Context } from "hono";
import type { z } from "zod";
import { AppError, zodDetails } from "@proximus/contracts";

export const MAX_JSON_BODY_BYTES = 64 * 1024;

/**
 * A body is read as JSON only when it says it is JSON and arrives as plain bytes: a text/plain or
 * form body (what a cross-site form can send) or a compressed one we would misread is refused.
 */
function assertJsonMediaType(c: Context): void {
  const type = (c.req.header("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
  if (type !== "application/json") {
    throw new AppError("unsupported_media_type", "send the body as JSON with content-type: application/json", [
      { field: "content-type", message: type ? `"${type}" is not application/json` : "missing" },
    ]);
  }
  const encoding = (c.req.header("content-encoding") ?? "").trim().toLowerCase();
  if (encoding !== "" && encoding !== "identity") {
    throw new AppError("unsupported_media_type", "the body must not be compressed (no content-encoding)", [
      { field: "content-encoding", message: `"${encoding}" is not decoded here` },
    ]);
  }
}

/** Reads and validates a JSON body: 415 unless it is declared JSON, 413 when too large, 400 naming the field otherwise. */
export async function jsonBody<T extends z.ZodType>(c: Context, schema: T): Promise<z.infer<T>> {
  assertJsonMediaType(c);
  const declared = Number(c.req.header("content-length") ?? 0);
  if (declared > MAX_JSON_BODY_BYTES) throw new AppError("payload_too_large", `body must be at most ${MAX_JSON_BODY_BYTES} bytes`);
  const text = await c.req.text();
  if (new TextEncoder().encode(text).length > MAX_JSON_BODY_BYTES) {
    throw new AppError("payload_too_large", `body must be at most ${MAX_JSON_BODY_BYTES} bytes`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new AppError("bad_request", "body is not valid JSON", [{ field: "(body)", message: "invalid JSON" }]);
  }
  return parseWith(schema, raw, "body");
}

export function parseWith<T extends z.ZodType>(schema: T, raw: unknown, what: string): z.infer<T> {
  const result = schema.safeParse(raw);
  if (!result.success) throw new AppError("validation_failed", `invalid ${what}`, zodDetails(result.error));
  return result.data;
}
