import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import type { RunRequest, RunResult } from "@proximus/contracts/sandbox";
import { SandboxClient, sandboxRunner } from "@proximus/agents/tools/sandbox-client";
import { Limiter } from "../queue";
import type { RunService } from "../runner/service";
import { loadConfig } from "../config";
import { RequestAuth } from "./auth";
import { connectionLimitsOf } from "./connections";
import { createSandboxServer } from "./server";

const SECRET = "trace-test-secret-0123456789";
const TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";

/** Only the HTTP layer is under test here: the run itself is answered by a canned service. */
function cannedService(seen: RunRequest[]): RunService {
  const fake = {
    backend: { isolation: "bubblewrap", warning: null, platform: "test" },
    pool: { readyCount: 0, target: 0 },
    async run(run: RunRequest): Promise<RunResult> {
      seen.push(run);
      return {
        id: `run-${seen.length}`,
        ran: true,
        exitCode: 0,
        stdout: "ok\n",
        stderr: "",
        stdoutBytes: 3,
        stderrBytes: 0,
        stdoutTruncated: false,
        stderrTruncated: false,
        durationMs: 5,
        peakMemoryBytes: null,
        killedReason: null,
        pidsLimitHit: false,
        isolation: "bubblewrap",
        isolationWarning: null,
        warm: false,
        diagnostics: [],
      };
    },
  };
  return fake as unknown as RunService;
}

let close: (() => Promise<void>) | null = null;
afterEach(async () => {
  await close?.();
  close = null;
});

async function start() {
  const logs: string[] = [];
  const seen: RunRequest[] = [];
  const server = createSandboxServer({
    auth: new RequestAuth(SECRET),
    limiter: new Limiter(2, 2),
    service: cannedService(seen),
    runtimes: { node: "v22", python: "3.11" },
    limits: connectionLimitsOf(loadConfig({ SANDBOX_SECRET: SECRET })),
    log: (m) => logs.push(m),
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, logs, seen, client: new SandboxClient({ url, secret: SECRET }) };
}

const runLines = (logs: string[]) => logs.map((l) => JSON.parse(l) as { msg: string; runId: string; traceId: string | null });

describe("sandbox-host trace context", () => {
  it("logs and echoes the trace id of the caller's traceparent", async () => {
    const { client, logs } = await start();
    const runner = sandboxRunner(client);
    const res = await runner.run(
      { files: [], command: ["node", "-e", "1"], runtime: "node", timeoutMs: 1_000 },
      { traceparent: `00-${TRACE}-b7ad6b7169203331-01` },
    );
    expect(res.exitCode).toBe(0);
    const direct = await client.run({ command: ["true"], runtime: "node" }, { traceparent: `00-${TRACE}-00f067aa0ba902b7-01` });
    expect(direct.traceId).toBe(TRACE);
    expect(runLines(logs)).toEqual([
      expect.objectContaining({ msg: "run finished", runId: "run-1", traceId: TRACE }),
      expect.objectContaining({ msg: "run finished", runId: "run-2", traceId: TRACE }),
    ]);
  });

  it("without a (valid) traceparent logs null and adds no traceId", async () => {
    const { client, logs } = await start();
    const plain = await client.run({ command: ["true"], runtime: "node" });
    const bad = await client.run({ command: ["true"], runtime: "node" }, { traceparent: "00-nonsense" });
    expect(plain.traceId).toBeUndefined();
    expect(bad.traceId).toBeUndefined();
    expect(runLines(logs).map((l) => l.traceId)).toEqual([null, null]);
  });
});
