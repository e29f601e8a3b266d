import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { startService, type RunningService } from "../app";
import { loadConfig, type Config } from "../config";
import { runscAvailable } from "../runner/backend";

export const TEST_SECRET = "test-secret-0123456789abcdef";

/** Why the real-sandbox suites cannot run here, or null. Loud by design: CI has root and runsc. */
export async function realSandboxUnavailable(): Promise<string | null> {
  if (process.getuid?.() !== 0) return "SKIPPED: not root — real sandbox tests need root (cgroups, netns, nft)";
  if (!(await runscAvailable())) return "SKIPPED: runsc is not installed (apt-get install runsc) — real sandbox tests need it";
  return null;
}

/** Shared by every test run of this checkout, so the toolchain layer is installed once, not per test file. */
export const TEST_TOOLCHAIN_DIR = fileURLToPath(new URL("../../../.tmp/toolchain", import.meta.url));

export async function startTestService(overrides: Partial<Config> = {}): Promise<RunningService & { stateDir: string }> {
  const stateDir = await mkdtemp(join(tmpdir(), "pxsb-state-"));
  // The service's own defaults (what an operator gets), then the test's small queue and pool.
  const defaults = loadConfig({ SANDBOX_SECRET: TEST_SECRET, PATH: process.env.PATH ?? "" });
  const svc = await startService(
    {
      ...defaults,
      ...{ port: 0, bind: "127.0.0.1", maxConcurrent: 2, maxQueue: 1, poolSize: 1, stateDir, forceBackend: undefined, pinCpus: true },
      // No toolchain layer unless a test asks for one (TEST_TOOLCHAIN_DIR): most need only node and python.
      toolchainDir: null,
      ...overrides,
    },
    process.env.PXSB_DEBUG ? (m) => console.error(`[sandbox-host] ${m}`) : () => undefined,
  );
  return { ...svc, stateDir };
}
