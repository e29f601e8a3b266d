import { createServer, isIPv4, type Server } from "node:net";
import { existsSync } from "node:fs";
import { chmod, rm, writeFile } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signRequest, type RunRequestInput, type RunResult } from "@proximus/contracts/sandbox";
import { SandboxClient } from "@proximus/agents/tools/sandbox-client";
import { realSandboxUnavailable, startTestService, TEST_SECRET } from "./testing/fixture";
import { startTestHost, type TestHost } from "./testing/hosts";
import { hostSnapshot } from "./testing/snapshot";
import type { RunningService } from "./app";
import { ownAddresses, parseCidrList } from "./net/address-policy";

const skip = await realSandboxUnavailable();
if (skip) console.warn(`\n\n!!!!! ${skip} !!!!!\n\n`);

const HOST_SECRET_FILE = "/root/pxsb-hostile-secret.txt";
const HOST_TMP_FILE = "/tmp/pxsb-hostile-visible.txt";
const ESCAPE_MARKERS = ["/etc/pxsb-escape", "/usr/pxsb-escape", "/pxsb-escape", "/tmp/pxsb-escape"];

describe.skipIf(skip !== null)("hostile inputs under gVisor", () => {
  let svc: RunningService & { stateDir: string };
  let client: SandboxClient;
  let before: Record<string, string[]>;
  let hostA: TestHost;
  let hostB: TestHost;
  let hostPort: Server;
  let hostPortNo = 0;

  const run = (req: Omit<RunRequestInput, "stream">): Promise<RunResult> => client.run(req);
  const py = (code: string, extra: Partial<RunRequestInput> = {}) =>
    run({ runtime: "python", command: ["python3", "main.py"], files: [{ path: "main.py", content: code }], timeoutMs: 10_000, ...extra });

  beforeAll(async () => {
    process.env.PXSB_HOSTILE_ENV_SECRET = "env-secret-must-not-leak";
    await writeFile(HOST_SECRET_FILE, "file-secret-must-not-leak\n");
    await chmod(HOST_SECRET_FILE, 0o600);
    await writeFile(HOST_TMP_FILE, "host tmp file\n");
    [hostA, hostB] = await Promise.all([startTestHost("a"), startTestHost("b")]);
    // Test hosts live in RFC 1918 space: the operator allows host A's range only, so B stays private.
    svc = await startTestService({ egressAllowCidrs: parseCidrList(hostA.cidr, "test") });
    before = await hostSnapshot(svc.stateDir);
    client = new SandboxClient({ url: svc.url, secret: TEST_SECRET, maxAttempts: 1 });
    hostPort = createServer((s) => s.end("host service\n"));
    await new Promise<void>((r) => hostPort.listen(0, "0.0.0.0", () => r()));
    hostPortNo = (hostPort.address() as { port: number }).port;
    await svc.pool.waitReady(1);
  });

  afterAll(async () => {
    await new Promise<void>((r) => (hostPort ? hostPort.close(() => r()) : r()));
    await hostA?.close();
    await hostB?.close();
    const during = svc ? await hostSnapshot(svc.stateDir) : null;
    await svc?.stop();
    const after = svc ? await hostSnapshot(svc.stateDir) : null;
    await rm(HOST_SECRET_FILE, { force: true });
    await rm(HOST_TMP_FILE, { force: true });
    await rm(svc.stateDir, { recursive: true, force: true });
    delete process.env.PXSB_HOSTILE_ENV_SECRET;
    // With the service stopped nothing of ours may remain; while it ran, only the warm pool existed.
    expect(after).toEqual({ ...before, cgroups: [], bundles: [], runscContainers: [], sandboxProcesses: [], nftTables: [] });
    expect(during?.netns).toEqual([]);
    for (const m of ESCAPE_MARKERS) expect(existsSync(m), m).toBe(false);
  });

  it("runs a plain job on the warm pool with gVisor and reports it", async () => {
    const r = await run({ runtime: "node", command: ["node", "-e", "console.log(6*7)"] });
    expect(r).toMatchObject({
      ran: true,
      exitCode: 0,
      stdout: "42\n",
      killedReason: null,
      isolation: "gvisor",
      isolationWarning: null,
      warm: true,
    });
    expect(r.peakMemoryBytes).toBeGreaterThan(0);
  });

  it("runs `node --test` in a workspace of submitted files", async () => {
    const r = await run({
      runtime: "node",
      command: ["node", "--test"],
      files: [
        { path: "package.json", content: JSON.stringify({ type: "module" }) },
        { path: "src/sum.js", content: "export const sum = (a, b) => a + b;\n" },
        {
          path: "test/sum.test.js",
          content:
            "import test from 'node:test';\nimport assert from 'node:assert';\nimport { sum } from '../src/sum.js';\ntest('sums', () => assert.equal(sum(2, 3), 5));\n",
        },
      ],
      timeoutMs: 20_000,
    });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/pass 1/);
    expect(r.stdout).toMatch(/fail 0/);
  });

  it("fork bomb: hits the pids limit and is killed for it at once, not at the timeout", async () => {
    // Memory and time to spare, so the task limit is what stops it (forks are slow under ptrace).
    const r = await py("import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        pass\n", {
      timeoutMs: 30_000,
      memoryMb: 1024,
    });
    expect(r.pidsLimitHit, JSON.stringify(r)).toBe(true);
    expect(r.killedReason, JSON.stringify(r)).toBe("pids");
    expect(r.stderr).toContain("[sandbox] killed (pids): the run reached the limit of 512 processes/threads");
    expect(r.exitCode).not.toBe(0);
    expect(r.durationMs).toBeLessThan(25_000);
  });

  it("memory hog: killed by the memory cgroup and reported as memory", async () => {
    const r = await py("x = bytearray(700 * 1024 * 1024)\nprint('allocated')\n", { memoryMb: 128 });
    expect(r.killedReason).toBe("memory");
    expect(r.stderr).toContain("[sandbox] killed (memory): the run exceeded its memory limit of 128 MiB");
    expect(r.stdout).not.toContain("allocated");
    expect(r.peakMemoryBytes).toBeGreaterThanOrEqual(100 * 1024 * 1024);
    expect(r.peakMemoryBytes).toBeLessThanOrEqual(128 * 1024 * 1024);
  });

  it("infinite loop: killed at the wall-clock timeout", async () => {
    const r = await run({ runtime: "node", command: ["node", "-e", "for(;;){}"], timeoutMs: 1_500 });
    expect(r.killedReason).toBe("timeout");
    expect(r.stderr).toContain("[sandbox] killed (timeout): the run exceeded its timeout of 1500 ms");
    expect(r.durationMs).toBeGreaterThanOrEqual(1_500);
    expect(r.durationMs).toBeLessThan(5_000);
  });

  it("100 MB of output: capped, marked truncated, killed past the hard output limit", async () => {
    const r = await py("import sys\nchunk = 'y' * 65536\nfor _ in range(1600):\n    sys.stdout.write(chunk)\n", {
      maxOutputBytes: 65_536,
      timeoutMs: 20_000,
    });
    expect(r.stdout.length).toBe(65_536);
    expect(r.stdoutTruncated).toBe(true);
    expect(r.killedReason).toBe("output_limit");
    expect(r.stdoutBytes).toBeGreaterThan(16 * 1024 * 1024);
    expect(r.stdoutBytes).toBeLessThan(100 * 1024 * 1024);
  });

  it("writes outside the workspace fail; the workspace and /tmp are writable but private", async () => {
    const code = [
      "import os",
      ...ESCAPE_MARKERS.filter((m) => m !== "/tmp/pxsb-escape").map(
        (m) => `try:\n    open('${m}', 'w').write('x'); print('WROTE ${m}')\nexcept OSError as e:\n    print('denied ${m}', e.errno)`,
      ),
      "open('/work/ok.txt', 'w').write('ok'); print('workspace ok')",
      "open('/tmp/pxsb-escape', 'w').write('x'); print('tmp ok')",
    ].join("\n");
    const r = await py(code);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).not.toContain("WROTE");
    expect(r.stdout.match(/denied /g)).toHaveLength(3);
    expect(r.stdout).toContain("workspace ok");
    expect(r.stdout).toContain("tmp ok");
  });

  it("host files and the service's env secrets are invisible", async () => {
    const code = [
      "import os",
      "print('env', 'PXSB_HOSTILE_ENV_SECRET' in os.environ, 'SANDBOX_SECRET' in os.environ)",
      "print('pid1', b'must-not-leak' in open('/proc/1/environ','rb').read())",
      ...[HOST_SECRET_FILE, HOST_TMP_FILE, "/etc/shadow", "/work/main/package.json"].map(
        (p) => `try:\n    open('${p}').read(); print('READ ${p}')\nexcept OSError as e:\n    print('denied ${p}', e.errno)`,
      ),
      "print('uid', os.getuid())",
    ].join("\n");
    const r = await py(code);
    expect(r.stdout).toContain("env False False");
    expect(r.stdout).toContain("pid1 False");
    expect(r.stdout).not.toContain("READ");
    expect(r.stdout).toContain(`denied ${HOST_SECRET_FILE} 2`);
    expect(r.stdout).toContain(`denied ${HOST_TMP_FILE} 2`);
    expect(r.stdout).toContain("denied /etc/shadow 13");
    expect(r.stdout).toContain("uid 65534");
  });

  const connectScript = (targets: string[]) =>
    [
      "import socket, os",
      `for t in ${JSON.stringify(targets)}:`,
      "    host, port = t.rsplit(':', 1)",
      "    try:",
      "        socket.create_connection((host, int(port)), timeout=1.5).close(); print('CONNECTED', t)",
      "    except OSError as e:",
      "        print('blocked', t, type(e).__name__)",
    ].join("\n");

  it("without egress there is no network at all: host loopback ports and test hosts are unreachable", async () => {
    const r = await py(connectScript([`127.0.0.1:${hostPortNo}`, `${hostA.ip}:${hostA.port}`]));
    expect(r.stdout).not.toContain("CONNECTED");
    expect(r.stdout.match(/blocked/g)).toHaveLength(2);
  });

  it("with egress: only the allowlisted host answers, through the proxy; everything else is blocked", async () => {
    // Allowlisted on purpose, still refused by the address policy: the host's own addresses (one of them
    // inside the operator-allowed range) and a private address outside it.
    const ownExternal = ownAddresses().find((a) => isIPv4(a) && !a.startsWith("127.") && !a.startsWith("10.23")) ?? hostA.gatewayIp;
    const refusedByPolicy = [`${hostA.gatewayIp}:${hostPortNo}`, `${ownExternal}:${hostPortNo}`, `${hostB.ip}:${hostB.port}`];
    const code = [
      "import os, urllib.request, urllib.error",
      "proxy = os.environ['HTTP_PROXY']",
      "gw = proxy.split('//')[1].split(':')[0]",
      `for url in ['http://${hostA.ip}:${hostA.port}/', 'http://${hostB.ip}:${hostB.port}/', 'http://127.0.0.1:${hostPortNo}/', 'http://169.254.169.254/latest/meta-data/',`,
      `            'http://${hostA.gatewayIp}:${hostPortNo}/', 'http://${ownExternal}:${hostPortNo}/']:`,
      "    try:",
      "        print('OK', url, urllib.request.urlopen(url, timeout=5).read().decode().strip())",
      "    except urllib.error.HTTPError as e:",
      "        print('DENIED', url, e.code, e.read().decode().strip())",
      "    except Exception as e:",
      "        print('ERR', url, type(e).__name__)",
      "import socket",
      `for t in [(gw, ${hostPortNo}), (gw, 22), ('${hostB.ip}', ${hostB.port}), ('${hostA.ip}', ${hostA.port})]:`,
      "    try:",
      "        socket.create_connection(t, timeout=1.5).close(); print('DIRECT-CONNECTED', t)",
      "    except OSError as e:",
      "        print('direct-blocked', t[1])",
    ].join("\n");
    const r = await py(code, { egress: [`${hostA.ip}:${hostA.port}`, ...refusedByPolicy], timeoutMs: 30_000 });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.warm).toBe(false);
    expect(r.stdout).toContain(`OK http://${hostA.ip}:${hostA.port}/ ${hostA.body.trim()}`);
    expect(r.stdout).toContain(
      `DENIED http://${hostB.ip}:${hostB.port}/ 403 egress to ${hostB.ip}:${hostB.port} denied: forbidden address: private (RFC 1918)`,
    );
    expect(r.stdout).toContain(`DENIED http://127.0.0.1:${hostPortNo}/ 403`);
    expect(r.stdout).toContain("DENIED http://169.254.169.254/latest/meta-data/ 403");
    expect(r.stdout).toContain(
      `DENIED http://${hostA.gatewayIp}:${hostPortNo}/ 403 egress to ${hostA.gatewayIp}:${hostPortNo} denied: forbidden address: an address of this host`,
    );
    expect(r.stdout).toContain(`DENIED http://${ownExternal}:${hostPortNo}/ 403`);
    expect(r.stdout).not.toContain("host service");
    expect(r.stdout).not.toContain("DIRECT-CONNECTED");
    expect(r.stdout.match(/direct-blocked/g)).toHaveLength(4);
    expect(r.egress).toEqual({ opened: 1, denied: 5, refusedOverCap: 0, maxOpenPerRun: 32 });
  });

  it("refuses path traversal, absolute paths, NUL and symlinks with field-level errors", async () => {
    for (const [file, msg] of [
      [{ path: "../escape.txt", content: "x" }, "path contains '..'"],
      [{ path: "/etc/passwd", content: "x" }, "path is absolute"],
      [{ path: "a\0b", content: "x" }, "path contains a NUL byte"],
      [{ path: "link", content: "/etc/passwd", type: "symlink" }, "symlinks are not accepted"],
    ] as const) {
      const err = await run({ runtime: "node", command: ["node", "-e", "1"], files: [file] }).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: "validation_failed" });
      expect(JSON.stringify((err as { details: unknown }).details)).toContain(msg);
    }
  });

  it("returns syntax errors as diagnostics without running", async () => {
    const r = await run({ runtime: "python", command: ["python3", "bad.py"], files: [{ path: "bad.py", content: "print('x'\n" }] });
    expect(r.ran).toBe(false);
    expect(r.diagnostics.find((d) => d.source === "syntax")).toMatchObject({ file: "bad.py", line: expect.any(Number), severity: "error" });
  });

  it("rejects unsigned, badly signed and replayed requests with 401", async () => {
    const body = JSON.stringify({ runtime: "node", command: ["node", "-e", "1"] });
    const post = (headers: Record<string, string>) =>
      fetch(`${svc.url}/v1/runs`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body });
    expect((await post({})).status).toBe(401);
    expect((await post(await signRequest("wrong-secret-0123456789", "POST", "/v1/runs", body))).status).toBe(401);
    const good = await signRequest(TEST_SECRET, "POST", "/v1/runs", body);
    expect((await post(good)).status).toBe(200);
    const replay = await post(good);
    expect(replay.status).toBe(401);
    expect(await replay.json()).toEqual({ error: { code: "unauthorized", message: "request signature rejected: replayed request" } });
  });

  it("streams output as NDJSON when asked", async () => {
    const body = JSON.stringify({
      runtime: "python",
      command: ["python3", "-c", "import time\nprint('one', flush=True)\ntime.sleep(0.3)\nprint('two')"],
      stream: true,
    });
    const res = await fetch(`${svc.url}/v1/runs`, {
      method: "POST",
      headers: await signRequest(TEST_SECRET, "POST", "/v1/runs", body),
      body,
    });
    expect(res.headers.get("content-type")).toContain("application/x-ndjson");
    const events = (await res.text())
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { type: string; data?: string; result?: RunResult });
    expect(events[0]?.type).toBe("diagnostics");
    expect(
      events
        .filter((e) => e.type === "stdout")
        .map((e) => e.data)
        .join(""),
    ).toBe("one\ntwo\n");
    expect(events.at(-1)).toMatchObject({ type: "result", result: { exitCode: 0, stdout: "one\ntwo\n" } });
  });

  it("answers 429 when the queue is full and keeps serving", async () => {
    const slow = () =>
      run({ runtime: "python", command: ["python3", "-c", "import time; time.sleep(1.5)"] }).then(
        () => "ok",
        (e: { code?: string }) => e.code ?? "error",
      );
    const results = await Promise.all([slow(), slow(), slow(), slow()]);
    expect(
      results.filter((r) => r === "rate_limited"),
      JSON.stringify(results),
    ).toHaveLength(1);
    expect(results.filter((r) => r === "ok")).toHaveLength(3);
    const health = (await (await fetch(`${svc.url}/health`)).json()) as { ok: boolean; isolation: string };
    expect(health).toMatchObject({ ok: true, isolation: "gvisor" });
  });
});
