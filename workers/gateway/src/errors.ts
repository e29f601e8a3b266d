import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import { AppError } from "@proximus/contracts";
import type { AppEnv } from "./app-env";

/** The one place an error becomes a response: a stable envelope, never a stack. */
export function onError(e: Error, c: Context<AppEnv>): Response {
  if (e instanceof AppError) return c.json(e.toEnvelope(), e.status as 400);
  if (e instanceof HTTPException) {
    const code = e.status === 413 ? "payload_too_large" : e.status === 401 ? "unauthorized" : "bad_request";
    return c.json(new AppError(code, e.message || "request rejected").toEnvelope(), e.status);
  }
  console.error("unhandled error", e instanceof Error ? `${e.name}: ${e.message}` : String(e));
  return c.json(new AppError("internal", "internal error").toEnvelope(), 500);
}

export function notFound(c: Context<AppEnv>): Response {
  return c.json(new AppError("not_found", `no route for ${c.req.method} ${new URL(c.req.url).pathname}`).toEnvelope(), 404);
}
