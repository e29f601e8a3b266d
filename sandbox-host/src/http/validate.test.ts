import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { signRequest } from "@proximus/contracts/sandbox";
import { VALIDATE_PATH } from "@proximus/contracts/validate";
import { ValidateClient } from "@proximus/agents/tools/validate-client";
import { Limiter } from "../queue";
import type { RunService } from "../runner/service";
import { RequestAuth } from "./auth";
import { createSandboxServer } from "./server";
import { loadConfig } from "../config";
import { connectionLimitsOf } from "./connections";

const SECRET = "validate-test-secret-0123456789";

let close: (() => Promise<void>) | null = null;
afterEach(async () => {
  await close?.();
  close = null;
});

/** The real HTTP server; validation needs no sandbox, so the run service is never called. */
async function start(): Promise<string> {
  const backend = { isolation: "bubblewrap", warning: null, platform: "test" };
  const service = { backend, pool: { readyCount: 0, target: 0 } } as unknown as RunService;
  const runtimes = { node: "v22", python: "3" };
  const limits = connectionLimitsOf(loadConfig({ SANDBOX_SECRET: SECRET }));
  const server = createSandboxServer({
    auth: new RequestAuth(SECRET),
    limiter: new Limiter(1, 1),
    service,
    runtimes,
    limits,
    log: () => {},
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe("POST /v1/validate", () => {
  it("validates each .tf file with HashiCorp's parser through the agents' client", async () => {
    const client = new ValidateClient({ url: await start(), secret: SECRET });
    const r = await client.validate([
      { path: "main.tf", content: 'locals {\n  a = [for s in var.l : upper(s)]\n}\nresource "x" "y" {\n}\n' },
      { path: "bad.tf", content: "locals {\n  a = \n}\n" },
    ]);
    expect(r).toEqual([
      { path: "main.tf", ok: true, errors: [], validator: expect.stringContaining("hashicorp/hcl") },
      {
        path: "bad.tf",
        ok: false,
        errors: [{ line: 2, column: 7, message: expect.stringContaining("Invalid expression") }],
        validator: expect.any(String),
      },
    ]);
  });

  it("refuses a wrong secret, a replayed signature and a non-.tf file", async () => {
    const url = await start();
    const wrongSecret = new ValidateClient({ url, secret: "another-secret-0123456789" });
    await expect(wrongSecret.validate([{ path: "main.tf", content: "" }])).rejects.toMatchObject({ code: "unauthorized" });
    const body = JSON.stringify({ files: [{ path: "main.tf", content: "" }] });
    const headers = { ...(await signRequest(SECRET, "POST", VALIDATE_PATH, body)), "content-type": "application/json" };
    expect((await fetch(`${url}${VALIDATE_PATH}`, { method: "POST", headers, body })).status).toBe(200);
    expect((await fetch(`${url}${VALIDATE_PATH}`, { method: "POST", headers, body })).status).toBe(401);
    await expect(new ValidateClient({ url, secret: SECRET }).validate([{ path: "app.yaml", content: "a: 1" }])).rejects.toMatchObject({
      code: "validation_failed",
      details: expect.objectContaining({}),
    });
  });
});
