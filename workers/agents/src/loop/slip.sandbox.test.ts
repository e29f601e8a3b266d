import { rm } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { realSandboxUnavailable, startTestService, TEST_SECRET } from "../../../../sandbox-host/src/testing/fixture";
import { APP_SOURCE } from "../sim/project";
import { SandboxClient, sandboxRunner } from "../tools/sandbox-client";
import { sandboxCommandRunner } from "./runner";
import { runScenario } from "./testing/run-scenario";

const unavailable = await realSandboxUnavailable();
if (unavailable) console.warn(`[loop] ${unavailable}`);

describe.skipIf(unavailable !== null)("the run tool in a real sandbox-host (gVisor), through the sandbox client", () => {
  let svc: Awaited<ReturnType<typeof startTestService>>;
  beforeAll(async () => {
    svc = await startTestService();
  }, 60_000);
  afterAll(async () => {
    await svc?.stop();
    if (svc) await rm(svc.stateDir, { recursive: true, force: true });
  });

  it("slip converges with its tests run under runsc", async () => {
    const runner = sandboxCommandRunner(sandboxRunner(new SandboxClient({ url: svc.url, secret: TEST_SECRET })));
    const run = await runScenario("slip", { runner });
    expect(run.result.stopReason).toBe("finished");
    expect(await run.workspace.read("src/app.js")).toBe(APP_SOURCE);
    const runs = run.result.state.messages.filter((m) => m.role === "tool" && m.name === "run");
    expect(runs).toHaveLength(2);
    expect(runs[0]?.content).toMatch(/^ERROR: \$ node --test --test-reporter=tap\nexit code: 1, [\d.]+ ms, isolation: gvisor/);
    expect(runs[1]?.content).toMatch(/exit code: 0, [\d.]+ ms, isolation: gvisor\ntests: 4, passed: 4, failed: 0/);
  }, 60_000);
});
