#!/usr/bin/env node
// `npm run dev`: the whole platform on this machine — offline, no keys, no login.
// Builds the dashboard if needed, applies D1 migrations locally, starts the sandbox host
// (gVisor; bubblewrap only as a loudly reported fallback) and every Worker in one `wrangler dev`.
import { existsSync, statSync, readdirSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { execFileSync } from "node:child_process";
import path from "node:path";
import { ROOT, VITE, run } from "./lib/proc.mjs";
import { applyMigrations, startWorkers } from "./lib/stack.mjs";
import { startSandboxHost } from "./lib/sandbox-host.mjs";

const PORT = Number(process.env.PORT ?? 8787);
const PERSIST = process.env.PROXIMUS_STATE_DIR ?? path.join(ROOT, ".wrangler/state");

function newestMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

async function buildDashboardIfStale() {
  const built = path.join(ROOT, "web/dist/index.html");
  const inputs = ["web/src", "web/public", "web/index.html", "web/vite.config.ts", "contracts"].map((p) => path.join(ROOT, p)).filter(existsSync);
  const newest = Math.max(...inputs.map((p) => (statSync(p).isDirectory() ? newestMtime(p) : statSync(p).mtimeMs)));
  if (existsSync(built) && statSync(built).mtimeMs >= newest) return;
  console.log("[dev] building dashboard (web/dist)…");
  if ((await run(VITE, ["build", "--config", "web/vite.config.ts", "--logLevel", "warn"])) !== 0) throw new Error("dashboard build failed");
}

/** Generated once per state dir, so stored provider keys stay readable across restarts. */
function localEncryptionSecret() {
  const file = path.join(PERSIST, "..", "keys-encryption-secret");
  if (!existsSync(file)) {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, randomBytes(32).toString("hex"), { mode: 0o600 });
  }
  return readFileSync(file, "utf8").trim();
}

const hasCommand = (cmd) => {
  try {
    execFileSync("sh", ["-c", `command -v ${cmd}`], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
};

async function main() {
  await buildDashboardIfStale();
  console.log("[dev] applying D1 migrations (local)…");
  await applyMigrations(PERSIST);

  const vars = { KEYS_ENCRYPTION_SECRET: localEncryptionSecret() };
  let sandbox = null;
  if (process.env.PROXIMUS_NO_SANDBOX !== "1" && (hasCommand("runsc") || hasCommand("bwrap"))) {
    if (!hasCommand("runsc")) console.warn("[dev] WARNING: runsc (gVisor) not found — the sandbox host falls back to bubblewrap, a WEAKER isolation.");
    try {
      sandbox = await startSandboxHost({ stateDir: path.join(PERSIST, "..", "sandbox") });
      Object.assign(vars, { SANDBOX_URL: sandbox.url, SANDBOX_SECRET: sandbox.secret });
      console.log(`[dev] sandbox host: ${sandbox.url}`);
    } catch (err) {
      // gVisor needs root (cgroups, netns). Everything else still runs; QA says why it cannot.
      console.warn(`[dev] WARNING: the sandbox host did not start (${err instanceof Error ? err.message : String(err)}); it needs root. QA will fail its tasks.`);
    }
  } else {
    console.warn("[dev] WARNING: no sandbox runtime (apt-get install runsc). QA will fail: it cannot run the generated tests.");
  }

  // Provider keys a user puts in .env (see README) reach every Worker.
  // SaaS-only secrets are declared required for deploys; locally (AUTH_MODE=local) they stay empty.
  const defaults = { OIDC_CLIENT_SECRET: "", JWT_PRIVATE_JWK: "" };
  const stack = await startWorkers({ port: PORT, persistDir: PERSIST, vars, defaults });
  console.log(`\n[dev] Proximus is up: http://localhost:${PORT}  (local mode, offline provider, no keys)\n`);

  const stop = async () => {
    await stack.kill();
    await sandbox?.stop();
    process.exit(0);
  };
  process.on("SIGINT", () => void stop());
  process.on("SIGTERM", () => void stop());
  await stack.exited;
  await sandbox?.stop();
  process.exit(1);
}

main().catch((err) => {
  console.error(`[dev] ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
