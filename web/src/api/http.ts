import { z } from "zod";
import { ErrorEnvelope } from "@proximus/contracts/errors";

/** A failed API call, carrying the server's envelope so the UI can show `message` and the offending fields. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly fields: { field: string; message: string }[] = [],
  ) {
    super(message);
    this.name = "ApiError";
  }

  /** One line for the user: the message plus which fields were wrong, when the server said so. */
  get userMessage(): string {
    if (this.fields.length === 0) return this.message;
    return `${this.message} (${this.fields.map((f) => `${f.field}: ${f.message}`).join("; ")})`;
  }
}

function fieldsFrom(details: unknown): { field: string; message: string }[] {
  if (!Array.isArray(details)) return [];
  const out: { field: string; message: string }[] = [];
  for (const d of details) {
    if (d && typeof d === "object" && "field" in d && typeof d.field === "string") {
      const message = "message" in d && typeof d.message === "string" ? d.message : "invalid";
      out.push({ field: d.field, message });
    }
  }
  return out;
}

/** Turns any non-2xx response into an ApiError, reading the envelope when there is one. */
export async function errorFromResponse(res: Response): Promise<ApiError> {
  const text = await res.text().catch(() => "");
  try {
    const parsed = ErrorEnvelope.safeParse(JSON.parse(text));
    if (parsed.success) {
      const { code, message, details } = parsed.data.error;
      return new ApiError(res.status, code, message, fieldsFrom(details));
    }
  } catch {
    // Not JSON (a proxy error page, say): fall through to a generic message.
  }
  return new ApiError(res.status, "http_error", `Request failed with HTTP ${res.status}`);
}

export type Transport = (path: string, init: RequestInit) => Promise<Response>;
const plainFetch: Transport = (path, init) => fetch(path, init);
let apiTransport: Transport = plainFetch;

/** SaaS mode swaps in the token manager's fetch (bearer token, refresh on 401) for every `/api/*` call. */
export function setApiTransport(t: Transport | null): void {
  apiTransport = t ?? plainFetch;
}

/** fetch for gateway paths: `/api/*` goes through the auth transport; `/auth/*` uses the cookie alone. */
export function apiFetch(path: string, init: RequestInit = {}): Promise<Response> {
  const withCreds: RequestInit = { credentials: "same-origin", ...init };
  return path.startsWith("/api/") ? apiTransport(path, withCreds) : plainFetch(path, withCreds);
}

export interface RequestOptions {
  method?: "GET" | "POST" | "PUT" | "DELETE";
  body?: unknown;
  signal?: AbortSignal;
}

/** fetch + JSON + zod: every response from the gateway is validated before the UI trusts it. */
export async function requestJson<S extends z.ZodType>(path: string, schema: S, opts: RequestOptions = {}): Promise<z.infer<S>> {
  const init: RequestInit = { method: opts.method ?? "GET", credentials: "same-origin", headers: { accept: "application/json" } };
  if (opts.signal) init.signal = opts.signal;
  if (opts.body !== undefined) {
    init.body = JSON.stringify(opts.body);
    init.headers = { accept: "application/json", "content-type": "application/json" };
  }
  const res = await apiFetch(path, init);
  if (!res.ok) throw await errorFromResponse(res);
  const text = await res.text();
  let body: unknown = {};
  try {
    if (text !== "") body = JSON.parse(text);
  } catch {
    throw new ApiError(res.status, "bad_response", `Unexpected non-JSON response from ${path}`);
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    throw new ApiError(res.status, "bad_response", `Unexpected response from ${path}: ${parsed.error.issues[0]?.message ?? "invalid"}`);
  }
  return parsed.data;
}

/** For endpoints whose body the UI does not need (DELETE, PUT of a secret). */
export async function requestVoid(path: string, opts: RequestOptions = {}): Promise<void> {
  await requestJson(path, z.unknown(), opts);
}
