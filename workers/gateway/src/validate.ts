import type { Context } from "hono";
import type { z } from "zod";
import { AppError, zodDetails } from "../../../contracts";

export const MAX_JSON_BODY_BYTES = 64 * 1024;

/** Reads and validates a JSON body: 413 when too large, 400 naming the field otherwise. */
export async function jsonBody<T extends z.ZodType>(c: Context, schema: T): Promise<z.infer<T>> {
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
