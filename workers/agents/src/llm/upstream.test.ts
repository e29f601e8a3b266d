import { describe, expect, it } from "vitest";
import { httpError, parseRetryAfter, redact } from "./upstream";

describe("upstream error mapping", () => {
  it("parses retry-after seconds, HTTP dates and retry-after-ms", () => {
    const now = Date.parse("2025-01-01T00:00:00Z");
    expect(parseRetryAfter(new Headers({ "retry-after": "7" }), now)).toBe(7000);
    expect(parseRetryAfter(new Headers({ "retry-after": "Wed, 01 Jan 2025 00:00:30 GMT" }), now)).toBe(30_000);
    expect(parseRetryAfter(new Headers({ "retry-after": "7", "retry-after-ms": "250" }), now)).toBe(250);
    expect(parseRetryAfter(new Headers({ "retry-after": "soon" }), now)).toBeUndefined();
    expect(parseRetryAfter(new Headers(), now)).toBeUndefined();
  });

  it("maps statuses to codes and retryability", () => {
    expect(httpError("openai", 429, undefined, "", []).code).toBe("rate_limited");
    expect(httpError("openai", 408, undefined, "", []).code).toBe("timeout");
    expect(httpError("openai", 503, undefined, "", []).details).toMatchObject({ retryable: true, status: 503 });
    expect(httpError("openai", 404, undefined, "", []).details).toMatchObject({ retryable: false, status: 404 });
    expect(httpError("openai", 404, undefined, "", []).code).toBe("upstream_failed");
  });

  it("scrubs known secrets and key-shaped strings from vendor messages", () => {
    const text =
      "bad key my-custom-secret-123 and sk-proj-ABCDEFGHIJKL and AKIAABCDEFGHIJKLMNOP and AIzaSyABCDEFGHIJKLMNOPQRSTUVW Bearer xyz.abc";
    const out = redact(text, ["my-custom-secret-123"]);
    for (const leaked of ["my-custom-secret-123", "sk-proj", "AKIAABCD", "AIzaSy", "xyz.abc"]) expect(out).not.toContain(leaked);
    const e = httpError("anthropic", 401, undefined, JSON.stringify({ error: { message: text } }), ["my-custom-secret-123"]);
    expect(e.message).toContain("HTTP 401");
    expect(e.message).not.toContain("my-custom-secret-123");
  });
});
