import { rm } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunResult } from "@proximus/contracts/sandbox";
import { SandboxClient } from "@proximus/agents/tools/sandbox-client";
import type { RunningService } from "./app";
import { parseCidrList } from "./net/address-policy";
import { netNames } from "./net/netns";
import { runQuiet } from "./runner/launch";
import { instanceTag } from "./runner/layout";
import { realSandboxUnavailable, startTestService, TEST_SECRET } from "./testing/fixture";
import { startTestHost, type TestHost } from "./testing/hosts";

const skip = await realSandboxUnavailable();
if (skip) console.warn(`\n\n!!!!! ${skip} !!!!!\n\n`);

const hasTable = async (stateDir: string) =>
  (await runQuiet(["nft", "list", "tables"])).stdout.includes(`inet ${netNames(instanceTag(stateDir)).table}`);

describe.skipIf(skip !== null)("two sandbox-hosts on one machine", () => {
  let host: TestHost;
  let one: RunningService & { stateDir: string };
  let two: (RunningService & { stateDir: string }) | null = null;

  const fetchJob = (delayS: number) =>
    [
      "import time, urllib.request",
      `time.sleep(${delayS})`,
      `print(urllib.request.urlopen('http://${host.ip}:${host.port}/', timeout=5).read().decode().strip())`,
    ].join("\n");
  const egressRun = (svc: RunningService, delayS: number): Promise<RunResult> =>
    new SandboxClient({ url: svc.url, secret: TEST_SECRET, maxAttempts: 1 }).run({
      runtime: "python",
      command: ["python3", "-c", fetchJob(delayS)],
      egress: [`${host.ip}:${host.port}`],
      timeoutMs: 20_000,
    });

  beforeAll(async () => {
    host = await startTestHost("a");
    const allow = parseCidrList(host.cidr, "test");
    one = await startTestService({ poolSize: 0, egressAllowCidrs: allow });
    two = await startTestService({ poolSize: 0, egressAllowCidrs: allow });
  });

  afterAll(async () => {
    await host?.close();
    await two?.stop();
    await one?.stop();
    for (const s of [one, two]) if (s) await rm(s.stateDir, { recursive: true, force: true });
  });

  it("each has its own nft table, and egress runs on both at once succeed", async () => {
    expect(await hasTable(one.stateDir)).toBe(true);
    expect(await hasTable((two as RunningService & { stateDir: string }).stateDir)).toBe(true);
    const [a, b] = await Promise.all([egressRun(one, 0), egressRun(two as RunningService, 0)]);
    expect(a.stdout + a.stderr).toContain(host.body.trim());
    expect(b.stdout + b.stderr).toContain(host.body.trim());
  });

  it("stopping one leaves the other's table and networks alone: its egress run in flight succeeds", async () => {
    const inFlight = egressRun(one, 3);
    // Let the run's netns and sandbox come up, then stop the other host under it.
    await new Promise((r) => setTimeout(r, 1_500));
    const stopped = two as RunningService & { stateDir: string };
    await stopped.stop();
    expect(await hasTable(stopped.stateDir)).toBe(false);
    two = null;
    await rm(stopped.stateDir, { recursive: true, force: true });
    const r = await inFlight;
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toContain(host.body.trim());
    expect(await hasTable(one.stateDir)).toBe(true);
  });
});
