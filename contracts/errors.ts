import { z } from "zod";

/** Stable error codes shared by the gateway, the DO, the agents and sandbox-host. */
export const ERROR_CODES = [
  "bad_request",
  "validation_failed",
  "unauthorized",
  "forbidden",
  "not_found",
  "conflict",
  "payload_too_large",
  "unsupported_media_type",
  "rate_limited",
  "budget_exceeded",
  "upstream_failed",
  "timeout",
  "internal",
] as const;
export const ErrorCode = z.enum(ERROR_CODES);
export type ErrorCode = z.infer<typeof ErrorCode>;

export const ErrorEnvelope = z.object({
  error: z.object({
    code: ErrorCode,
    message: z.string(),
    details: z.unknown().optional(),
  }),
});
export type ErrorEnvelope = z.infer<typeof ErrorEnvelope>;

export const HTTP_STATUS: Record<ErrorCode, number> = {
  bad_request: 400,
  validation_failed: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  budget_exceeded: 402,
  upstream_failed: 502,
  timeout: 504,
  internal: 500,
};

/** The one error type. Thrown anywhere; turned into the envelope in one place per service. */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = "AppError";
  }
  get status(): number {
    return HTTP_STATUS[this.code];
  }
  toEnvelope(): ErrorEnvelope {
    return { error: { code: this.code, message: this.message, ...(this.details === undefined ? {} : { details: this.details }) } };
  }
}

/**
 * zod issues → `details` that name each offending field. An unknown key is reported under its own
 * name (zod files it under the parent object, which for a body or a query string is no name at all).
 */
export function zodDetails(error: z.ZodError): { field: string; message: string }[] {
  const name = (path: readonly PropertyKey[]) => (path.length ? path.map(String).join(".") : "(body)");
  return error.issues.flatMap((i) =>
    i.code === "unrecognized_keys"
      ? i.keys.map((key) => ({ field: name([...i.path, key]), message: `unknown key "${key}"` }))
      : [{ field: name(i.path), message: i.message }],
  );
}
