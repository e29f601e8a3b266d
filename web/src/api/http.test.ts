import { afterEach, describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { ApiError, errorFromResponse, requestJson, requestVoid, setApiTransport } from "./http";

afterEach(() => {
  vi.unstubAllGlobals();
  setApiTransport(null);
});

describe("errorFromResponse", () => {
  it("reads the envelope's message and names the offending fields", async () => {
    const res = new Response(
      JSON.stringify({
        error: { code: "validation_failed", message: "Invalid request", details: [{ field: "budgetUsd", message: "must be positive" }] },
      }),
      { status: 400 },
    );
    const err = await errorFromResponse(res);
    expect([err.status, err.code, err.userMessage]).toEqual([400, "validation_failed", "Invalid request (budgetUsd: must be positive)"]);
  });

  it("falls back to the status for bodies that are not an envelope", async () => {
    const err = await errorFromResponse(new Response("<html>Bad gateway</html>", { status: 502 }));
    expect([err.code, err.message]).toEqual(["http_error", "Request failed with HTTP 502"]);
  });
});

describe("requestJson", () => {
  it("sends JSON and rejects responses that do not match the schema", async () => {
    const calls: RequestInit[] = [];
    vi.stubGlobal("fetch", async (_url: string, init: RequestInit) => {
      calls.push(init);
      return new Response(JSON.stringify({ n: "not a number" }), { status: 200 });
    });
    await expect(requestJson("/api/x", z.object({ n: z.number() }), { method: "POST", body: { a: 1 } })).rejects.toBeInstanceOf(ApiError);
    expect(calls[0]?.body).toBe('{"a":1}');
    expect((calls[0]!.headers as Record<string, string>)["content-type"]).toBe("application/json");
  });
});

describe("the auth transport", () => {
  it("carries every /api/* call, while /auth/* goes out with the cookie alone", async () => {
    const viaTransport: string[] = [];
    const plain: string[] = [];
    vi.stubGlobal("fetch", async (url: string) => {
      plain.push(url);
      return new Response(null, { status: 204 });
    });
    setApiTransport(async (url, init) => {
      viaTransport.push(`${url} ${init.credentials}`);
      return new Response('{"n":1}', { status: 200 });
    });
    await requestJson("/api/projects", z.object({ n: z.number() }));
    await requestVoid("/auth/logout", { method: "POST" });
    expect(viaTransport).toEqual(["/api/projects same-origin"]);
    expect(plain).toEqual(["/auth/logout"]);
    setApiTransport(null);
    await requestVoid("/api/me");
    expect(plain).toEqual(["/auth/logout", "/api/me"]);
  });
});
