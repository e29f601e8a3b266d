import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ProjectDetail } from "@proximus/contracts";
// @ts-expect-error plain ESM helpers shared with the dev/test scripts
import { applyMigrations, startWorkers } from "../../../scripts/lib/stack.mjs";
// @ts-expect-error plain ESM helpers shared with the dev/test scripts
import { freePort, spawnSandboxHost, waitForSandboxHost } from "../../../scripts/lib/sandbox-host.mjs";
// @ts-expect-error plain ESM helpers shared with the dev/test scripts
import { killTree } from "../../../scripts/lib/proc.mjs";

/**
 * The sandbox host going down is an infrastructure fault, not the project's: QA waits for it (the
 * reason is on the task) and the project succeeds once the host is back, on its own.
 */
type Child = { exitCode: number | null; signalCode: string | null; once(event: "exit", cb: () => void): void };

let root = "";
let stack: { url: string; kill(signal?: string): Promise<void> };
let host: Child | null = null;
let hostPort = 0;
const secret = randomBytes(32).toString("hex");

async function startHost(): Promise<void> {
  const child = spawnSandboxHost({ port: hostPort, secret, stateDir: path.join(root, "sandbox") }) as Child;
  await waitForSandboxHost(child, `http://127.0.0.1:${hostPort}`);
  host = child;
}

async function stopHost(): Promise<void> {
  const child = host;
  host = null;
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once("exit", () => r()));
  killTree(child, "SIGKILL");
  await exited;
}

const detail = async (id: string): Promise<ProjectDetail> => {
  const res = await fetch(`${stack.url}/api/projects/${id}`);
  if (!res.ok) throw new Error(`${res.status} ${await res.text()}`);
  return (await res.json()) as ProjectDetail;
};

async function until<T>(what: string, timeoutMs: number, probe: () => Promise<T | null>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const v = await probe().catch(() => null);
    if (v !== null) return v;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out waiting for ${what}`);
}

beforeAll(async () => {
  root = mkdtempSync(path.join(tmpdir(), "proximus-outage-e2e-"));
  hostPort = (await freePort()) as number;
  await startHost();
  const persistDir = path.join(root, "state");
  await applyMigrations(persistDir);
  const port = (await freePort()) as number;
  stack = await startWorkers({
    port,
    persistDir,
    vars: { SANDBOX_URL: `http://127.0.0.1:${hostPort}`, SANDBOX_SECRET: secret },
    stdio: ["ignore", "ignore", "inherit"],
  });
});

afterAll(async () => {
  await stack?.kill();
  await stopHost();
  rmSync(root, { recursive: true, force: true });
});

describe("a sandbox host outage during a project", () => {
  it("delays QA with a visible reason, without failing it; the project succeeds once the host is back", async () => {
    await stopHost();
    const res = await fetch(`${stack.url}/api/projects`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ idea: "a booking app for dog groomers" }),
    });
    const { id } = (await res.json()) as ProjectDetail;
    const waiting = await until("QA to wait for the sandbox", 120_000, async () => {
      const qa = (await detail(id)).tasks.find((t) => t.id === "qa");
      return qa?.waitingFor ? qa : null;
    });
    expect(waiting.waitingFor).toMatch(/sandbox host (unreachable|unavailable)/);
    // Longer than the old retries (+1 s, +2 s) that used to fail the project for good.
    await new Promise((r) => setTimeout(r, 8_000));
    const during = await detail(id);
    expect(during.state).toBe("running");
    const qa = during.tasks.find((t) => t.id === "qa")!;
    expect(qa.state === "ready" || qa.state === "running", `qa is ${qa.state}: ${qa.error}`).toBe(true);
    expect(qa.attempt).toBeGreaterThan(1);
    // Waits do not use up attempts.
    expect(qa.maxAttempts).toBeGreaterThan(qa.attempt);

    await startHost();
    const done = await until("the project to finish", 180_000, async () => {
      const d = await detail(id);
      return ["succeeded", "failed", "cancelled"].includes(d.state) ? d : null;
    });
    expect(done.tasks.filter((t) => t.state !== "succeeded").map((t) => `${t.id}: ${t.error}`)).toEqual([]);
    expect(done.state).toBe("succeeded");
    expect(done.tasks.find((t) => t.id === "qa")!.waitingFor).toBeNull();
  });
});
