// Process helpers shared by dev, test and bench scripts.
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const require = createRequire(import.meta.url);

/** No network here, and none wanted: wrangler must not phone home. */
export const OFFLINE_ENV = { WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false", NO_UPDATE_NOTIFIER: "1" };

/** Node 22 from node_modules (wrangler needs ≥22.12; the machine's node may be older). */
export function node22() {
  try {
    return require.resolve("node/bin/node", { paths: [ROOT] });
  } catch {
    return process.execPath;
  }
}

export const bin = (pkg, file) => path.join(ROOT, "node_modules", pkg, file);
export const WRANGLER = bin("wrangler", "bin/wrangler.js");
export const VITEST = bin("vitest", "vitest.mjs");
export const VITE = bin("vite", "bin/vite.js");
export const TSX = bin("tsx", "dist/cli.mjs");

/**
 * Spawns a node script directly under Node 22 (never through npx), so the PID we hold is the
 * process we must kill; wrangler then takes its workerd child down with it.
 */
export function spawnNode(script, args, opts = {}) {
  return spawn(node22(), [script, ...args], {
    cwd: ROOT,
    stdio: opts.stdio ?? "inherit",
    env: { ...process.env, ...OFFLINE_ENV, ...opts.env },
    detached: opts.detached ?? false,
  });
}

/** Runs a node script under Node 22 to completion; resolves with its exit code. */
export function run(script, args, opts = {}) {
  return runArgs([script, ...args], opts);
}

/** Polls `url` until `ready(response)` (default: a 2xx) says it is up. */
export async function waitForHttp(url, timeoutMs = 90_000, ready = async (res) => res.ok) {
  const start = Date.now();
  let last = "";
  while (Date.now() - start < timeoutMs) {
    try {
      const res = await fetch(url);
      if (await ready(res)) return;
      last = `HTTP ${res.status}`;
    } catch (err) {
      last = err instanceof Error ? err.message : String(err);
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`${url} not up after ${timeoutMs} ms (${last})`);
}

/** Kills a detached child and its whole process group. */
export function killTree(child, signal = "SIGTERM") {
  if (!child || child.exitCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    try {
      child.kill(signal);
    } catch {
      // already gone
    }
  }
}

/** Like run(), for node arguments that are not a single script (e.g. --import tsx file.mjs). */
export function runArgs(args, opts = {}) {
  return new Promise((resolve) => {
    const child = spawn(node22(), args, {
      cwd: ROOT,
      stdio: opts.stdio ?? "inherit",
      env: { ...process.env, ...OFFLINE_ENV, ...opts.env },
    });
    child.on("exit", (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}
