// Starts a real sandbox-host for tests and benches: random port, random secret, torn down after.
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { createServer } from "node:net";
import path from "node:path";
import { ROOT, TSX, spawnNode, killTree, waitForHttp } from "./proc.mjs";

export const TOOLCHAIN_DIR = path.join(ROOT, ".tmp/toolchain");

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** One sandbox-host process in its own process group (so its sandboxes go down with it). */
export function spawnSandboxHost({ port, secret, stateDir, env = {} }) {
  return spawnNode(TSX, [path.join(ROOT, "sandbox-host/src/main.ts")], {
    // One toolchain layer for every host started from this checkout (dev, tests, benches): installed
    // once per lockfile hash, not once per fresh state dir.
    env: { SANDBOX_PORT: String(port), SANDBOX_SECRET: secret, SANDBOX_STATE_DIR: stateDir, SANDBOX_TOOLCHAIN_DIR: TOOLCHAIN_DIR, ...env },
    stdio: ["ignore", "inherit", "inherit"],
    detached: true,
  });
}

/**
 * Resolves once `child` answers /health on `url`; rejects (and kills it) if it exits or hangs first.
 * The very first start installs the toolchain layer (npm ci) before it listens, hence the margin.
 */
export async function waitForSandboxHost(child, url, timeoutMs = 300_000) {
  const exited = new Promise((_, reject) =>
    child.once("exit", (code, signal) => reject(new Error(`sandbox host exited during start-up (${signal ?? `exit ${code}`})`))),
  );
  exited.catch(() => {});
  try {
    await Promise.race([waitForHttp(`${url}/health`, timeoutMs), exited]);
  } catch (err) {
    killTree(child, "SIGKILL");
    throw err;
  }
}

/**
 * `stateDir` scopes the host's containers and cgroups (and what its start-up sweep may remove):
 * `npm run dev` passes a stable one so a restart cleans up after a crash; tests get a fresh one
 * each, so a test's host never sweeps away another's sandboxes.
 */
export async function startSandboxHost({ stateDir, env: extraEnv = {} } = {}) {
  const port = await freePort();
  const secret = randomBytes(32).toString("hex");
  const dir = stateDir ?? mkdtempSync(path.join(tmpdir(), "proximus-sandbox-"));
  const child = spawnSandboxHost({ port, secret, stateDir: dir, env: extraEnv });
  const url = `http://127.0.0.1:${port}`;
  await waitForSandboxHost(child, url);
  return {
    url,
    secret,
    stop: async () => {
      killTree(child, "SIGTERM");
      await new Promise((r) => (child.exitCode !== null || child.signalCode !== null ? r() : child.once("exit", r)));
      if (!stateDir) rmSync(dir, { recursive: true, force: true });
    },
  };
}
