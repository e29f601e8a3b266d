// Keeps `npm run dev`'s sandbox host alive: when it dies it is started again, with backoff, on the
// same port and with the same secret, so the Workers (started once with SANDBOX_URL/SANDBOX_SECRET)
// keep working without a restart of their own.
import { randomBytes } from "node:crypto";
import { killTree } from "./proc.mjs";
import { freePort, spawnSandboxHost, waitForSandboxHost } from "./sandbox-host.mjs";

const gone = (child) => child.exitCode !== null || child.signalCode !== null;

/** What is left of a dead host's process group (its sandboxes); the next host sweeps the rest. */
function killGroup(child) {
  try {
    process.kill(-child.pid, "SIGKILL");
  } catch {
    // nothing left
  }
}

/**
 * Starts the host and supervises it. Rejects if the first start fails (a host that cannot start at
 * all, e.g. without root, would only fail again); after that every death is logged and restarted:
 * delays double from `backoff.initialMs` to `backoff.maxMs`, and start over once a host has stayed
 * up for `stableMs`.
 */
export async function superviseSandboxHost({
  stateDir,
  port,
  secret,
  env = {},
  log = (line) => console.log(line),
  backoff = { initialMs: 1_000, maxMs: 30_000 },
  stableMs = 60_000,
}) {
  const hostPort = port ?? (await freePort());
  const hostSecret = secret ?? randomBytes(32).toString("hex");
  const url = `http://127.0.0.1:${hostPort}`;
  let child = null;
  let startedAt = 0;
  let supervising = false;
  let stopping = false;
  let timer = null;
  let restarts = 0;
  let delay = backoff.initialMs;

  const launch = async () => {
    const c = spawnSandboxHost({ port: hostPort, secret: hostSecret, stateDir, env });
    child = c;
    startedAt = Date.now();
    c.once("exit", (code, signal) => onExit(c, code, signal));
    await waitForSandboxHost(c, url);
  };

  const relaunch = async () => {
    timer = null;
    if (stopping) return;
    try {
      await launch();
      log(`[dev] sandbox host is back on ${url} (restart #${restarts})`);
    } catch (err) {
      // Its exit (waitForSandboxHost kills a host that hangs) schedules the next attempt.
      log(`[dev] sandbox host restart #${restarts} failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  };

  function onExit(c, code, signal) {
    if (!supervising || stopping || c !== child) return;
    killGroup(c);
    if (Date.now() - startedAt >= stableMs) delay = backoff.initialMs;
    const wait = delay;
    delay = Math.min(delay * 2, backoff.maxMs);
    restarts++;
    log(`[dev] sandbox host died (${signal ?? `exit ${code}`}); restarting it on ${url} in ${wait} ms (restart #${restarts})`);
    timer = setTimeout(() => void relaunch(), wait);
  }

  await launch();
  supervising = true;

  return {
    url,
    secret: hostSecret,
    /** The current host process (changes with every restart). */
    get pid() {
      return child?.pid;
    },
    get restarts() {
      return restarts;
    },
    async stop() {
      stopping = true;
      if (timer) clearTimeout(timer);
      const c = child;
      if (!c || gone(c)) return;
      const exited = new Promise((r) => c.once("exit", r));
      killTree(c, "SIGTERM");
      await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
      if (!gone(c)) killTree(c, "SIGKILL");
    },
  };
}
