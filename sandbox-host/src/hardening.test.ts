import { request } from "node:http";
import { connect, type Socket } from "node:net";
import { rm } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signRequest, type RunRequestInput, type RunResult } from "@proximus/contracts/sandbox";
import { SandboxClient } from "@proximus/agents/tools/sandbox-client";
import type { RunningService } from "./app";
import { parseCidrList } from "./net/address-policy";
import { realSandboxUnavailable, startTestService, TEST_SECRET } from "./testing/fixture";
import { startTestHost, type TestHost } from "./testing/hosts";

const skip = await realSandboxUnavailable();
if (skip) console.warn(`\n\n!!!!! ${skip} !!!!!\n\n`);

/** Writes `head` (and nothing else) and collects what the server answers until it closes or `waitMs` passes. */
function rawExchange(port: number, head: string, waitMs = 5_000): Promise<{ text: string; closed: boolean; ms: number }> {
  return new Promise((resolve) => {
    const started = Date.now();
    const s = connect(port, "127.0.0.1");
    let text = "";
    const done = (closed: boolean) => {
      clearTimeout(timer);
      s.destroy();
      resolve({ text, closed, ms: Date.now() - started });
    };
    const timer = setTimeout(() => done(false), waitMs);
    s.on("data", (b: Buffer) => (text += b.toString("latin1")));
    s.on("close", () => done(true));
    s.on("error", () => undefined);
    s.write(head);
  });
}

/** A signed run sent from a given local address (the per-peer cap is per address). */
async function signedRunFrom(url: string, localAddress: string, req: RunRequestInput): Promise<{ status: number; body: RunResult }> {
  const body = JSON.stringify(req);
  const headers = {
    "content-type": "application/json",
    "content-length": String(Buffer.byteLength(body)),
    ...(await signRequest(TEST_SECRET, "POST", "/v1/runs", body)),
  };
  return new Promise((resolve, reject) => {
    const r = request(`${url}/v1/runs`, { method: "POST", headers, localAddress }, (res) => {
      let text = "";
      res.on("data", (b: Buffer) => (text += b.toString()));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as RunResult }));
    });
    r.on("error", reject);
    r.end(body);
  });
}

describe.skipIf(skip !== null)("sandbox-host hardening under gVisor", () => {
  let svc: RunningService & { stateDir: string };
  let port = 0;
  let client: SandboxClient;
  let hostA: TestHost;

  beforeAll(async () => {
    hostA = await startTestHost("a");
    svc = await startTestService({
      headersTimeoutMs: 1_000,
      requestTimeoutMs: 5_000,
      maxConnections: 200,
      maxConnectionsPerPeer: 20,
      egressAllowCidrs: parseCidrList(hostA.cidr, "test"),
      egressMaxTunnelsPerRun: 8,
      egressMaxTunnels: 6,
    });
    port = Number(new URL(svc.url).port);
    client = new SandboxClient({ url: svc.url, secret: TEST_SECRET, maxAttempts: 1 });
    await svc.pool.waitReady(1);
  });

  afterAll(async () => {
    await hostA?.close();
    await svc?.stop();
    if (svc) await rm(svc.stateDir, { recursive: true, force: true });
  });

  it("answers 401 to an unsigned head declaring 12 MiB before a single body byte is sent", async () => {
    const r = await rawExchange(
      port,
      `POST /v1/runs HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: ${12 * 1024 * 1024}\r\n\r\n`,
    );
    expect(r.text).toMatch(/^HTTP\/1\.1 401 /);
    expect(r.text).toContain("missing signature headers");
    expect(r.closed).toBe(true);
    expect(r.ms).toBeLessThan(2_000);
  });

  it("refuses an oversized declared length with 413 and a chunked body with 400, without reading them", async () => {
    const big = await rawExchange(port, `POST /v1/runs HTTP/1.1\r\nhost: x\r\ncontent-length: ${13 * 1024 * 1024}\r\n\r\n`);
    expect(big.text).toMatch(/^HTTP\/1\.1 413 /);
    const chunked = await rawExchange(port, "POST /v1/runs HTTP/1.1\r\nhost: x\r\ntransfer-encoding: chunked\r\n\r\n");
    expect(chunked.text).toMatch(/^HTTP\/1\.1 400 /);
    expect(chunked.text).toContain("content-length is required");
  });

  it("refuses a correctly signed head whose body differs from the signed digest", async () => {
    const signed = JSON.stringify({ runtime: "node", command: ["node", "-e", "1"] });
    const sent = JSON.stringify({ runtime: "node", command: ["node", "-e", "2"] });
    const res = await fetch(`${svc.url}/v1/runs`, {
      method: "POST",
      headers: await signRequest(TEST_SECRET, "POST", "/v1/runs", signed),
      body: sent,
    });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({
      error: { code: "unauthorized", message: "request signature rejected: body does not match the signed digest" },
    });
  });

  it("refuses a request signed before the service started (replays across a restart)", async () => {
    const body = JSON.stringify({ runtime: "node", command: ["node", "-e", "1"] });
    const res = await fetch(`${svc.url}/v1/runs`, {
      method: "POST",
      headers: await signRequest(TEST_SECRET, "POST", "/v1/runs", body, Date.now() - 120_000),
      body,
    });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error: { message: "request signature rejected: signed before this sandbox-host started" } });
  });

  it("closes slow-header connections at the headers timeout, caps one peer, and a signed run from another peer still succeeds", async () => {
    const sockets: Socket[] = [];
    const closed = new Set<Socket>();
    for (let i = 0; i < 100; i++) {
      const s = connect(port, "127.0.0.1");
      s.on("error", () => undefined);
      s.on("close", () => closed.add(s));
      // Read, or the end the server sends is never seen.
      s.resume();
      s.write("POST /v1/runs HTTP/1.1\r\nhost: x\r\n");
      sockets.push(s);
    }
    await new Promise((r) => setTimeout(r, 500));
    // Beyond 20 per peer, closed at once.
    expect(closed.size).toBeGreaterThanOrEqual(80);
    const run = await signedRunFrom(svc.url, "127.0.0.2", { runtime: "node", command: ["node", "-e", "console.log('through')"] });
    expect(run.status).toBe(200);
    expect(run.body.stdout).toBe("through\n");
    // The 20 that were held are closed by the headers timeout (1 s; checked every 500 ms).
    await new Promise((r) => setTimeout(r, 2_500));
    expect(closed.size).toBe(100);
    for (const s of sockets) s.destroy();
  });

  it("a 400-byte file name is a 400 naming the byte length, not a supervisor traceback", async () => {
    const err = await client
      .run({ runtime: "node", command: ["node", "-e", "1"], files: [{ path: "é".repeat(200), content: "x" }] })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "validation_failed" });
    expect(JSON.stringify((err as { details: unknown }).details)).toContain("path is 400 bytes in UTF-8, longer than 255");
  });

  it("the job cannot SIGSTOP (or otherwise signal) its supervisor: its own exit is the result", async () => {
    const code = [
      "import os, signal",
      "for name, f in [('stop1', lambda: os.kill(1, signal.SIGSTOP)), ('term1', lambda: os.kill(1, signal.SIGTERM)),",
      "                ('pg', lambda: os.killpg(os.getpgid(1), signal.SIGSTOP)), ('pidfd', lambda: os.pidfd_open(1))]:",
      "    try:",
      "        f(); print(name, 'sent')",
      "    except OSError as e:",
      "        print(name, 'refused', e.errno)",
      "print('done', flush=True)",
    ].join("\n");
    const r = await client.run({ runtime: "python", command: ["python3", "-c", code], timeoutMs: 5_000 });
    expect(r.killedReason, r.stdout + r.stderr).toBeNull();
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain("stop1 refused 1");
    expect(r.stdout).toContain("term1 refused 1");
    expect(r.stdout).toContain("done");
    expect(r.durationMs).toBeLessThan(4_000);
  });

  it("`node --test` with 6 test files running at once (6 node children) passes under the default pids limit", async () => {
    const files = Array.from({ length: 6 }, (_, i) => ({
      path: `test/t${i}.test.js`,
      content: `const test = require('node:test');\nconst assert = require('node:assert');\ntest('t${i}', async () => { await new Promise((r) => setTimeout(r, 1500)); assert.equal(${i} + 1, ${i + 1}); });\n`,
    }));
    const r = await client.run({
      runtime: "node",
      command: ["node", "--test", "--test-concurrency=6"],
      files,
      timeoutMs: 60_000,
      memoryMb: 1024,
    });
    expect(r.killedReason, r.stderr).toBeNull();
    expect(r.exitCode, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/pass 6/);
  });

  it("caps egress tunnels per run and per host, and counts them in the result", async () => {
    const code = [
      "import os, socket, time",
      "gw, port = os.environ['HTTP_PROXY'].split('//')[1].rstrip('/').split(':')",
      "socks = []",
      "errors = []",
      "for i in range(40):",
      "    try:",
      "        s = socket.create_connection((gw, int(port)), timeout=3)",
      `        s.sendall(b'CONNECT ${hostA.ip}:${hostA.port} HTTP/1.1\\r\\nhost: x\\r\\n\\r\\n')`,
      "        socks.append(s)",
      "    except OSError as e:",
      "        errors.append(type(e).__name__)",
      "codes = {}",
      "for s in socks:",
      "    try:",
      "        line = s.recv(64).split(b'\\r\\n')[0].decode() or 'closed'",
      "    except OSError:",
      "        line = 'closed'",
      "    key = line.split(' ')[1] if ' ' in line else line",
      "    codes[key] = codes.get(key, 0) + 1",
      "print(sorted(codes.items()), errors)",
    ].join("\n");
    const r = await client.run({
      runtime: "python",
      command: ["python3", "-c", code],
      egress: [`${hostA.ip}:${hostA.port}`],
      timeoutMs: 30_000,
    });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toContain("('200', 6)");
    expect(r.egress?.opened).toBe(6);
    expect(r.egress?.maxOpenPerRun).toBe(8);
    expect(r.egress?.refusedOverCap).toBeGreaterThanOrEqual(2);
    expect((r.egress?.opened ?? 0) + (r.egress?.refusedOverCap ?? 0) + (r.egress?.denied ?? 0)).toBe(40);
  });
});
