import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { api, createProject, expectEnvelope } from "../../test/helpers";

const local = env.AUTH_MODE === "local";

describe.runIf(local)("local mode (AUTH_MODE=local)", () => {
  it("needs no login, and has no login routes", async () => {
    expect(await (await api("/api/me")).json()).toEqual({
      mode: "local",
      user: { id: "local", email: "local@proximus.localhost", name: "Local user" },
    });
    await expectEnvelope(await api("/auth/login"), 404, "not_found");
    await expectEnvelope(await api("/auth/refresh", { method: "POST" }), 404, "not_found");
    await expectEnvelope(await api("/.well-known/jwks.json"), 404, "not_found");
  });

  it("refuses state changes and WebSockets from foreign pages, but not the CLI or the dashboard", async () => {
    const body = JSON.stringify({ idea: "a cross-site idea" });
    const evil = await api("/api/projects", {
      method: "POST",
      headers: { "content-type": "text/plain", origin: "https://evil.example" },
      body,
    });
    await expectEnvelope(evil, 403, "forbidden");
    const p = await createProject();
    const ws = await api(`/api/projects/${p.id}/ws`, { headers: { upgrade: "websocket", origin: "https://evil.example" } });
    await expectEnvelope(ws, 403, "forbidden");
    const own = await api(`/api/projects/${p.id}/ws`, { headers: { upgrade: "websocket", origin: "http://proximus.test" } });
    expect(own.status).toBe(101);
    own.webSocket!.accept();
    own.webSocket!.close(1000, "done");
    // No Origin (curl, the CLI): allowed.
    expect((await api("/api/projects", { method: "POST", headers: { "content-type": "application/json" }, body })).status).toBe(201);
  });

  it("sets a strict CSP on API responses", async () => {
    expect((await api("/api/me")).headers.get("content-security-policy")).toContain("default-src 'none'");
  });
});
