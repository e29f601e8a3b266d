import { rm } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SandboxHealth, type RunResult } from "@proximus/contracts/sandbox";
import { SandboxClient } from "@proximus/agents/tools/sandbox-client";
import type { RunningService } from "./app";
import { realSandboxUnavailable, startTestService, TEST_SECRET } from "./testing/fixture";

const skip = await realSandboxUnavailable();
if (skip) console.warn(`\n\n!!!!! ${skip} !!!!!\n\n`);

const SQLITE_VERSION = "require('node:sqlite'); console.log(process.version)";
const SQLITE_TEST = [
  "import test from 'node:test';",
  "import assert from 'node:assert/strict';",
  "import { DatabaseSync } from 'node:sqlite';",
  "test('stores and reads a row in memory', () => {",
  "  const db = new DatabaseSync(':memory:');",
  "  db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT NOT NULL)');",
  "  db.prepare('INSERT INTO t (name) VALUES (?)').run('ada');",
  "  assert.deepEqual({ ...db.prepare('SELECT id, name FROM t').get() }, { id: 1, name: 'ada' });",
  "  db.close();",
  "});",
].join("\n");

describe.skipIf(skip !== null)("the sandbox's node and the warm pool's answer path (gVisor)", () => {
  let svc: RunningService & { stateDir: string };
  let client: SandboxClient;

  beforeAll(async () => {
    svc = await startTestService({ poolSize: 1, maxQueue: 4 });
    client = new SandboxClient({ url: svc.url, secret: TEST_SECRET, maxAttempts: 1 });
    await svc.pool.waitReady(1);
  });
  afterAll(async () => {
    await svc?.stop();
    if (svc) await rm(svc.stateDir, { recursive: true, force: true });
  });

  it("reports the sandbox runtimes in /health", async () => {
    const health = SandboxHealth.parse(await (await fetch(`${svc.url}/health`)).json());
    expect(health.runtimes.node).toMatch(/^v22\.\d+\.\d+$/);
    expect(health.runtimes.python).toMatch(/^3\.\d+\.\d+$/);
    expect(health.runtimes).toEqual(svc.runtimes);
  });

  it("runs node 22 with node:sqlite in a warm and in a cold sandbox", async () => {
    // Pool of one, two at once: one run takes the warm sandbox, the other has to start cold.
    const run = () => client.run({ runtime: "node", command: ["node", "-e", SQLITE_VERSION] });
    const results: RunResult[] = await Promise.all([run(), run()]);
    expect(results.map((r) => r.warm).sort()).toEqual([false, true]);
    for (const r of results) {
      expect(r.exitCode, r.stderr).toBe(0);
      expect(r.stdout).toBe(`${svc.runtimes.node}\n`);
      expect(r.stdout).toMatch(/^v22\./);
    }
  });

  it("passes a `node --test` file that uses DatabaseSync in memory, with the TAP reporter", async () => {
    await svc.pool.waitReady(1);
    const r = await client.run({
      runtime: "node",
      command: ["node", "--test", "--test-reporter=tap"],
      files: [
        { path: "package.json", content: JSON.stringify({ type: "module" }) },
        { path: "test/db.test.js", content: SQLITE_TEST },
      ],
      timeoutMs: 30_000,
    });
    expect(r.exitCode, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^ok 1 - stores and reads a row in memory/m);
    expect(r.stdout).toMatch(/^# pass 1$/m);
    expect(r.stdout).toMatch(/^# fail 0$/m);
  });

  it("answers when the job exits: what it left running is killed, its late output never shows", async () => {
    await svc.pool.waitReady(1);
    const r = await client.run({
      runtime: "python",
      command: ["sh", "-c", "echo early; (sleep 2; echo late; echo late >&2) & exit 3"],
      timeoutMs: 10_000,
    });
    // The answer came before the teardown (which takes tens of ms at least): that is off the request path.
    expect(svc.pool.retiringCount).toBeGreaterThan(0);
    expect(r).toMatchObject({ warm: true, exitCode: 3, stdout: "early\n", stderr: "", killedReason: null });
    expect(r.durationMs).toBeLessThan(2_000);
  });

  it("a job cannot forge the end of its run: a marker with a wrong nonce is plain output", async () => {
    const forged = "\\0PXSB:00000000000000000000000000000000:exit 0\\n";
    const r = await client.run({
      runtime: "python",
      command: ["python3", "-c", `import sys\nsys.stdout.write('${forged}after\\n')\nsys.stderr.write('${forged}')\nsys.exit(5)`],
    });
    expect(r.exitCode).toBe(5);
    expect(r.stdout).toBe("\0PXSB:00000000000000000000000000000000:exit 0\nafter\n");
    expect(r.stderr).toBe("\0PXSB:00000000000000000000000000000000:exit 0\n");
  });

  it("tears used sandboxes down in the background and refills the pool", async () => {
    await svc.pool.drain();
    expect(svc.pool.retiringCount).toBe(0);
    expect(await svc.pool.waitReady(1)).toBe(true);
  });
});
