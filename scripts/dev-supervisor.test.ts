import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { probeSandbox } from "@proximus/shared/sandbox-probe";
// @ts-expect-error plain ESM helpers shared with the dev/test scripts
import { superviseSandboxHost } from "./lib/sandbox-supervisor.mjs";
// @ts-expect-error plain ESM helpers shared with the dev/test scripts
import { freePort } from "./lib/sandbox-host.mjs";
// @ts-expect-error plain ESM helpers shared with the dev/test scripts
import { startWorkers } from "./lib/stack.mjs";

interface Supervisor {
  url: string;
  secret: string;
  readonly pid: number | undefined;
  readonly restarts: number;
  stop(): Promise<void>;
}
type Health = { ok: boolean; d1: boolean; sandbox: { ok: boolean; isolation: string | null; error?: string } };

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function tempDir(prefix: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function supervise(backoff: { initialMs: number; maxMs: number }): Promise<{ sup: Supervisor; logs: string[] }> {
  const logs: string[] = [];
  const sup = (await superviseSandboxHost({
    stateDir: tempDir("proximus-supervised-"),
    backoff,
    log: (l: string) => logs.push(l),
  })) as Supervisor;
  cleanups.push(() => sup.stop());
  return { sup, logs };
}

async function until<T>(what: string, timeoutMs: number, probe: () => Promise<T | null | false>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const v = await probe().catch(() => null);
    if (v) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe("npm run dev's sandbox host supervisor", () => {
  it("restarts a SIGKILLed host on the same URL with the same secret, with growing backoff", async () => {
    const { sup, logs } = await supervise({ initialMs: 300, maxMs: 5_000 });
    const env = { SANDBOX_URL: sup.url, SANDBOX_SECRET: sup.secret };
    expect(await probeSandbox(env)).toEqual({ ok: true, isolation: "gvisor" });

    for (const round of [1, 2]) {
      const pid = sup.pid!;
      process.kill(pid, "SIGKILL");
      await until("the host to die", 10_000, async () => !alive(pid));
      expect((await probeSandbox(env)).ok).toBe(false);
      // Back on the same URL; the same secret signs for it (probeSandbox sends a signed request).
      await until(`restart #${round}`, 60_000, async () => sup.pid !== pid && (await probeSandbox(env)).ok);
      expect(sup.restarts).toBe(round);
      await until(
        `restart #${round} logged`,
        5_000,
        async () => logs.filter((l) => l.includes(`sandbox host is back on ${sup.url}`)).length === round,
      );
    }
    expect(logs.filter((l) => l.includes("sandbox host died (SIGKILL)"))).toHaveLength(2);
    expect(logs.some((l) => l.includes(`restarting it on ${sup.url} in 300 ms (restart #1)`))).toBe(true);
    expect(logs.some((l) => l.includes("in 600 ms (restart #2)"))).toBe(true);

    const last = sup.pid!;
    await sup.stop();
    expect(alive(last)).toBe(false);
    // Stopped on purpose: nothing comes back.
    await new Promise((r) => setTimeout(r, 1_000));
    expect(logs.some((l) => l.includes("restart #3"))).toBe(false);
  }, 180_000);

  it("the running Workers' /health follows the host down and back up, without restarting them", async () => {
    // A long first backoff keeps the host down long enough to see /health say so.
    const { sup } = await supervise({ initialMs: 5_000, maxMs: 5_000 });
    const port = (await freePort()) as number;
    const stack = (await startWorkers({
      port,
      persistDir: tempDir("proximus-supervised-stack-"),
      vars: { SANDBOX_URL: sup.url, SANDBOX_SECRET: sup.secret, KEYS_ENCRYPTION_SECRET: "test-only-encryption-secret-0123456789" },
      stdio: ["ignore", "ignore", "inherit"],
    })) as { url: string; kill(): Promise<void> };
    cleanups.push(() => stack.kill());
    const health = async () => {
      const res = await fetch(`${stack.url}/health`);
      return { status: res.status, body: (await res.json()) as Health };
    };
    // The gateway (BUS_MODE=kafka-rest) asks the agents Worker, which probes the host.
    expect(await until("a healthy stack", 60_000, async () => ((await health()).status === 200 ? health() : null))).toMatchObject({
      status: 200,
      body: { ok: true, d1: true, sandbox: { ok: true, isolation: "gvisor" } },
    });

    process.kill(sup.pid!, "SIGKILL");
    const down = await until("/health to report the sandbox down", 5_000, async () => ((await health()).status === 503 ? health() : null));
    expect(down.body).toMatchObject({ ok: false, d1: true, sandbox: { ok: false } });
    expect(down.body.sandbox.error).toMatch(/^sandbox-host unreachable: /);

    await until("/health to be ok again", 90_000, async () => (await health()).status === 200);
    expect((await health()).body.sandbox).toEqual({ ok: true, isolation: "gvisor" });
  }, 240_000);
});
