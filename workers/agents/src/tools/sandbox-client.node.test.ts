import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { NONCE_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, verifyRequest, type RunResult } from "@proximus/contracts/sandbox";
import { SandboxClient, sandboxRunner, sandboxRunnerFromEnv } from "./sandbox-client";

const SECRET = "client-test-secret-0123456789";
const result: RunResult = {
  id: "r1",
  ran: true,
  exitCode: 0,
  stdout: "ok\n",
  stderr: "",
  stdoutBytes: 3,
  stderrBytes: 0,
  stdoutTruncated: false,
  stderrTruncated: false,
  durationMs: 12,
  peakMemoryBytes: 1000,
  killedReason: null,
  pidsLimitHit: false,
  isolation: "gvisor",
  isolationWarning: null,
  warm: true,
  diagnostics: [],
};

let server: Server | undefined;
afterEach(async () => {
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  server = undefined;
});

/** A local server that checks each request's signature exactly as sandbox-host does. */
async function serve(
  answer: (n: number, body: unknown, verified: boolean) => { status: number; body: unknown },
): Promise<{ url: string; calls: () => number }> {
  let n = 0;
  server = createServer((req: IncomingMessage, res) => {
    let raw = "";
    req.on("data", (c: Buffer) => (raw += c.toString()));
    req.on("end", () => {
      const h = (k: string) => req.headers[k] as string | undefined;
      void verifyRequest(SECRET, req.method ?? "", req.url ?? "", raw, {
        timestamp: h(TIMESTAMP_HEADER),
        nonce: h(NONCE_HEADER),
        signature: h(SIGNATURE_HEADER),
      }).then((v) => {
        const a = answer(++n, JSON.parse(raw), v.ok);
        res.writeHead(a.status, { "content-type": "application/json" }).end(JSON.stringify(a.body));
      });
    });
  });
  await new Promise<void>((r) => server?.listen(0, "127.0.0.1", () => r()));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, calls: () => n };
}

describe("SandboxClient", () => {
  it("sends a signed, non-streaming request and validates the answer", async () => {
    let seen: unknown;
    const s = await serve((_n, body, ok) => {
      seen = body;
      return ok ? { status: 200, body: result } : { status: 401, body: { error: { code: "unauthorized", message: "bad" } } };
    });
    const r = await new SandboxClient({ url: s.url, secret: SECRET }).run({
      runtime: "node",
      command: ["node", "-e", "1"],
      files: [{ path: "a.js", content: "1" }],
    });
    expect(r).toEqual(result);
    expect(seen).toMatchObject({ runtime: "node", stream: false, files: [{ path: "a.js" }] });
  });

  it("maps an error envelope to AppError with the host's code (wrong secret → unauthorized, not retried)", async () => {
    const s = await serve((_n, _b, ok) =>
      ok
        ? { status: 200, body: result }
        : { status: 401, body: { error: { code: "unauthorized", message: "request signature rejected: bad signature" } } },
    );
    const err = await new SandboxClient({ url: s.url, secret: "another-secret-0123456789" })
      .run({ runtime: "node", command: ["x"] })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "unauthorized", message: "sandbox-host: request signature rejected: bad signature" });
    expect(s.calls()).toBe(1);
  });

  it("retries 429 with backoff and a fresh signature, then succeeds", async () => {
    const sleeps: number[] = [];
    const s = await serve((n) =>
      n < 3 ? { status: 429, body: { error: { code: "rate_limited", message: "full" } } } : { status: 200, body: result },
    );
    const client = new SandboxClient({ url: s.url, secret: SECRET, sleep: async (ms) => void sleeps.push(ms) });
    await expect(client.run({ runtime: "python", command: ["python3", "-c", "1"] })).resolves.toEqual(result);
    expect(sleeps).toEqual([500, 1000]);
  });

  it("rejects a body that is not a RunResult", async () => {
    const s = await serve(() => ({ status: 200, body: { hello: "world" } }));
    await expect(new SandboxClient({ url: s.url, secret: SECRET }).run({ runtime: "node", command: ["x"] })).rejects.toMatchObject({
      code: "upstream_failed",
    });
  });

  it("the runner adapter turns syntax-error results into a visible failure and needs both env values", async () => {
    const s = await serve(() => ({
      status: 200,
      body: {
        ...result,
        ran: false,
        exitCode: null,
        stdout: "",
        killedReason: null,
        diagnostics: [{ file: "a.py", line: 2, column: 5, message: "invalid syntax", severity: "error", source: "syntax" }],
      },
    }));
    const r = await sandboxRunner(new SandboxClient({ url: s.url, secret: SECRET })).run({
      files: [],
      command: ["python3", "a.py"],
      runtime: "python",
      timeoutMs: 1000,
    });
    expect(r.exitCode).toBeNull();
    expect(r.stderr).toContain("a.py:2:5: invalid syntax");
    expect(r.timedOut).toBe(false);
    expect(sandboxRunnerFromEnv({ SANDBOX_URL: s.url })).toBeNull();
    expect(sandboxRunnerFromEnv({ SANDBOX_URL: s.url, SANDBOX_SECRET: SECRET })).not.toBeNull();
  });
});
