import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createApp } from "../app";
import { expectEnvelope } from "../../test/helpers";

describe("local mode outside localhost", () => {
  const strict = { ...env, LOCAL_MODE_PUBLIC: "" };

  it("refuses the API on a public host unless explicitly opted in", async () => {
    const res = await createApp().request("https://proximus.example.com/api/projects", {}, strict);
    const err = await expectEnvelope(res, 403, "forbidden");
    expect(err.message).toMatch(/AUTH_MODE=saas/);
  });

  it("answers on localhost", async () => {
    for (const host of ["http://localhost:8787", "http://127.0.0.1:8787"]) {
      const res = await createApp().request(`${host}/api/projects`, {}, strict);
      expect(res.status, host).toBe(200);
    }
  });
});
