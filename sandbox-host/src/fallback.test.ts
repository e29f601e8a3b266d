import { rm } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SandboxClient } from "@proximus/agents/tools/sandbox-client";
import type { RunningService } from "./app";
import { BUBBLEWRAP_WARNING } from "./runner/backend";
import { TEST_SECRET, startTestService } from "./testing/fixture";
import { runQuiet } from "./runner/launch";

const bwrap = (await runQuiet(["bwrap", "--version"])).code === 0;
const skip = process.getuid?.() !== 0 ? "not root" : bwrap ? null : "bwrap is not installed";
if (skip) console.warn(`\n\n!!!!! SKIPPED bubblewrap fallback tests: ${skip} !!!!!\n\n`);

describe.skipIf(skip !== null)("bubblewrap fallback (forced, as when runsc is missing)", () => {
  let svc: RunningService & { stateDir: string };
  let client: SandboxClient;
  beforeAll(async () => {
    svc = await startTestService({ forceBackend: "bubblewrap", poolSize: 0 });
    client = new SandboxClient({ url: svc.url, secret: TEST_SECRET, maxAttempts: 1 });
  });
  afterAll(async () => {
    await svc?.stop();
    await rm(svc.stateDir, { recursive: true, force: true });
  });

  it("says so in /health and in every result, and still contains the basics", async () => {
    const health = (await (await fetch(`${svc.url}/health`)).json()) as { isolation: string; isolationWarning: string };
    expect(health.isolation).toBe("bubblewrap");
    expect(health.isolationWarning).toContain(BUBBLEWRAP_WARNING);
    const r = await client.run({
      runtime: "python",
      command: [
        "python3",
        "-c",
        "import os\nprint(os.getuid())\ntry:\n    open('/etc/pxsb-x','w')\nexcept OSError as e:\n    print('denied', e.errno)",
      ],
    });
    expect(r).toMatchObject({ isolation: "bubblewrap", exitCode: 0, warm: false, stdout: "65534\ndenied 30\n" });
    expect(r.isolationWarning).toContain("weaker isolation");
    const node = await client.run({ runtime: "node", command: ["node", "-e", "require('node:sqlite'); console.log(process.version)"] });
    expect(node).toMatchObject({ exitCode: 0, stdout: `${svc.runtimes.node}\n` });
    expect(node.stdout).toMatch(/^v22\./);
    const loop = await client.run({ runtime: "node", command: ["node", "-e", "for(;;){}"], timeoutMs: 800 });
    expect(loop.killedReason).toBe("timeout");
    const mem = await client.run({ runtime: "python", command: ["python3", "-c", "x = bytearray(400 * 1024 * 1024)"], memoryMb: 96 });
    expect(mem.killedReason).toBe("memory");
  });
});
