#!/usr/bin/env node
// Runs the dashboard e2e against a fresh `npm run dev` (own ports, own state dir), or against
// BASE_URL when given. Used by `npm test`; writes E2E_REPORT (vitest-like counts) when set.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const E2E = fileURLToPath(new URL("./dashboard.e2e.mjs", import.meta.url));

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

async function waitForHttp(url, timeoutMs, child) {
  const start = Date.now();
  while (Date.now() - start < timeoutMs) {
    if (child.exitCode !== null) throw new Error(`${url}: its server exited with ${child.exitCode}`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`${url} not up after ${timeoutMs} ms`);
}

// One task per project at a time: the engineers, handed off together, then wait on each other, so the
// e2e sees a task queued on a limit (the default, 0, lets them overlap).
const STACK_VARS = { MAX_TASKS_PER_PROJECT: "1" };
// The engineers of that project call the model simulator (the e2e stores it as the user's OpenAI
// endpoint): the one that runs first then holds its slot for this long on every call, so the other is
// refused at least once however the two executors are scheduled. Offline agents finish too fast for that.
const SIM_LATENCY_MS = 1500;

function runE2e(baseUrl, env = {}) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [E2E], { cwd: ROOT, stdio: "inherit", env: { ...process.env, ...env, BASE_URL: baseUrl } });
    child.on("exit", (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

if (process.env.BASE_URL) process.exit(await runE2e(process.env.BASE_URL));

const port = Number(process.env.E2E_PORT ?? (await freePort()));
const sandboxPort = await freePort();
const simPort = await freePort();
const sim = spawn(
  process.execPath,
  ["--import", "tsx", path.join(ROOT, "sim/main.ts"), "--port", String(simPort), "--latency", String(SIM_LATENCY_MS)],
  {
    cwd: ROOT,
    detached: true,
    stdio: ["ignore", "inherit", "inherit"],
  },
);
const stateDir = mkdtempSync(path.join(tmpdir(), "proximus-e2e-state-"));
// Detached: the dev script and everything it starts share one process group we can end together.
const dev = spawn(process.execPath, [path.join(ROOT, "scripts/dev.mjs")], {
  cwd: ROOT,
  detached: true,
  stdio: ["ignore", "inherit", "inherit"],
  env: { ...process.env, ...STACK_VARS, PORT: String(port), SANDBOX_PORT: String(sandboxPort), PROXIMUS_STATE_DIR: stateDir },
});
const stopSim = () => {
  try {
    if (sim.exitCode === null) process.kill(-sim.pid, "SIGTERM");
  } catch {
    // already gone
  }
};
const stop = () => {
  stopSim();
  if (dev.exitCode !== null) return;
  try {
    process.kill(-dev.pid, "SIGTERM");
  } catch {
    // already gone
  }
};
process.on("SIGINT", () => {
  stop();
  process.exit(130);
});

let code = 1;
try {
  await waitForHttp(`http://127.0.0.1:${port}/health`, 180_000, dev);
  await waitForHttp(`http://127.0.0.1:${simPort}/stats`, 30_000, sim);
  code = await runE2e(`http://localhost:${port}`, {
    E2E_MAX_TASKS_PER_PROJECT: STACK_VARS.MAX_TASKS_PER_PROJECT,
    E2E_SIM_LLM_URL: `http://127.0.0.1:${simPort}/v1`,
  });
} catch (err) {
  console.error(`e2e: ${err instanceof Error ? err.message : String(err)}`);
  console.log("0 passed, 1 failed");
} finally {
  stop();
  await new Promise((r) => setTimeout(r, 1500));
  for (const child of [dev, sim]) {
    try {
      process.kill(-child.pid, "SIGKILL");
    } catch {
      // exited cleanly
    }
  }
  rmSync(stateDir, { recursive: true, force: true });
}
process.exit(code);
