import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { startService, type RunningService } from "../app";
import { defaultNodeBin, type Config } from "../config";
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
  const nodeBin = overrides.nodeBin ?? defaultNodeBin();
  if (!nodeBin) throw new Error("no node binary for the sandbox (node_modules/node missing and no node on PATH)");
  const stateDir = await mkdtemp(join(tmpdir(), "pxsb-state-"));
  const svc = await startService(
    { secret: TEST_SECRET, port: 0, bind: "127.0.0.1", maxConcurrent: 2, maxQueue: 1, poolSize: 1, stateDir, forceBackend: undefined, nodeBin, pinCpus: true, toolchainDir: null, ...overrides },
    process.env.PXSB_DEBUG ? (m) => console.error(`[sandbox-host] ${m}`) : () => undefined,
  );
  return { ...svc, stateDir };
}
