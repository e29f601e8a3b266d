// The local Proximus stack: D1 migrations + every Worker in one `wrangler dev`. Used by
// `npm run dev`, the end-to-end tests and the benches, so they all run the same thing.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { ROOT, WRANGLER, run, spawnNode, killTree, waitForHttp } from "./proc.mjs";

/** Configs started together; the first is the gateway (it serves the dashboard). */
export const WORKER_CONFIGS = ["wrangler.toml", "workers/agents/wrangler.toml", "workers/broker/wrangler.toml"];

export async function applyMigrations(persistDir) {
  const code = await run(
    WRANGLER,
    ["d1", "migrations", "apply", "proximus", "--local", "--persist-to", persistDir, "-c", "wrangler.toml"],
    {
      env: { CI: "true" },
      stdio: ["ignore", "ignore", "inherit"],
    },
  );
  if (code !== 0) throw new Error("D1 migrations failed");
}

/** KEY=VALUE lines of a .env file (comments and blanks skipped); {} when there is none. */
export function readDotEnv(file) {
  if (!existsSync(file)) return {};
  const out = {};
  for (const line of readFileSync(file, "utf8").split("\n")) {
    const m = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/.exec(line);
    if (m) out[m[1]] = m[2].replace(/^(["'])(.*)\1$/, "$2");
  }
  return out;
}

/**
 * The gateway serves once its /health answers with D1 reachable. That answer may still be a 503
 * (no sandbox, or the sandbox host restarting): the stack is up, and /health says what is missing.
 */
async function gatewayServing(res) {
  const body = await res.json().catch(() => null);
  return (res.status === 200 || res.status === 503) && body?.d1 === true;
}

/**
 * Starts `wrangler dev` for every Worker. `vars` (over the repo's .env, over `defaults`) travel in the process
 * environment: wrangler reads a Worker's declared vars and secrets from there for every config,
 * whereas --env-file only reaches the first one. Returns a handle whose kill() takes wrangler
 * and workerd down together.
 */
export async function startWorkers({ port, persistDir, vars = {}, defaults = {}, stdio = "inherit" }) {
  const args = [
    "dev",
    ...WORKER_CONFIGS.flatMap((c) => ["-c", c]),
    "--port",
    String(port),
    "--ip",
    "127.0.0.1",
    "--persist-to",
    persistDir,
    "--show-interactive-dev-session=false",
  ];
  const unset = Object.fromEntries(Object.entries(defaults).filter(([k]) => process.env[k] === undefined));
  const env = { ...unset, ...readDotEnv(path.join(ROOT, ".env")), ...vars };
  const child = spawnNode(WRANGLER, args, { detached: true, stdio, env });
  const url = `http://127.0.0.1:${port}`;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  try {
    await Promise.race([
      waitForHttp(`${url}/health`, 120_000, gatewayServing),
      exited.then(() => Promise.reject(new Error("wrangler dev exited during start-up"))),
    ]);
  } catch (err) {
    killTree(child, "SIGKILL");
    throw err;
  }
  return {
    url,
    child,
    exited,
    /** SIGKILL models a crash: nothing gets to clean up. */
    async kill(signal = "SIGTERM") {
      killTree(child, signal);
      await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
      if (child.exitCode === null && child.signalCode === null) killTree(child, "SIGKILL");
    },
  };
}
