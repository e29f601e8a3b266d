#!/usr/bin/env node
// `npm run dev`: the whole platform on this machine — offline, no keys, no login.
// Installs the sandbox's system packages when missing (scripts/system-deps.sh dev, as `npm test`
// does with its test profile), builds the dashboard if needed, applies D1 migrations locally, starts
// the sandbox host under supervision (gVisor; bubblewrap only as a loudly reported fallback) and
// every Worker in one `wrangler dev`. Without a sandbox it still runs, in a labelled degraded mode.
import { existsSync, statSync, readdirSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { execFileSync, spawnSync } from "node:child_process";
import path from "node:path";
import { ROOT, VITE, run } from "./lib/proc.mjs";
import { applyMigrations, startWorkers } from "./lib/stack.mjs";
import { superviseSandboxHost } from "./lib/sandbox-supervisor.mjs";

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
  const inputs = ["web/src", "web/public", "web/index.html", "web/vite.config.ts", "contracts"]
    .map((p) => path.join(ROOT, p))
    .filter(existsSync);
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

/**
 * The dev profile of the one system-deps script. Its complaint (what is missing, the exact command
 * to run) goes to the terminal as it is and is kept for the degraded-mode banner.
 */
function installSystemDeps() {
  const r = spawnSync("bash", [path.join(ROOT, "scripts/system-deps.sh"), "dev"], {
    stdio: ["inherit", "inherit", "pipe"],
    encoding: "utf8",
  });
  if (r.stderr) process.stderr.write(r.stderr);
  return r.status === 0 ? null : r.stderr.trim() || `scripts/system-deps.sh dev failed (exit ${r.status})`;
}

/** Starts the supervised sandbox host, or says why there is none (the reason becomes the banner). */
async function startSandbox() {
  if (process.env.PROXIMUS_NO_SANDBOX === "1") return { reason: "PROXIMUS_NO_SANDBOX=1: no sandbox host started" };
  const missing = installSystemDeps();
  if (!hasCommand("runsc") && !hasCommand("bwrap")) return { reason: missing ?? "neither runsc (gVisor) nor bwrap is installed" };
  if (!hasCommand("runsc"))
    console.warn("[dev] WARNING: runsc (gVisor) not found — the sandbox host falls back to bubblewrap, a WEAKER isolation.");
  try {
    const sandbox = await superviseSandboxHost({ stateDir: path.join(PERSIST, "..", "sandbox") });
    console.log(`[dev] sandbox host: ${sandbox.url} (supervised: restarted on the same URL if it dies)`);
    if (missing)
      console.warn(
        "[dev] WARNING: the sandbox runs, but packages listed above are missing (allowlisted egress needs nftables + iproute2).",
      );
    return { sandbox };
  } catch (err) {
    // gVisor needs root (cgroups, network namespaces).
    const why = err instanceof Error ? err.message : String(err);
    return {
      reason: `the sandbox host did not start (${why})${process.getuid?.() === 0 ? "" : "; it needs root: run npm run dev as root"}`,
    };
  }
}

function degradedBanner(reason) {
  const line = "=".repeat(96);
  const why = reason
    .replace(/^\[system-deps\] /gm, "")
    .split("\n")
    .join("\n[dev]   ");
  console.warn(`\n${line}\n[dev] DEGRADED MODE — no sandbox:\n[dev]   ${why}`);
  console.warn("[dev] QA cannot run the generated projects' tests, so projects fail at QA; /health answers 503 and says why.");
  console.warn(`[dev] Fix the above, then restart npm run dev.\n${line}\n`);
}

/** What /health says once the stack is up: the one place that knows whether QA can run. */
async function reportHealth(url) {
  try {
    const h = await (await fetch(`${url}/health`)).json();
    const sandbox = h.sandbox?.ok ? `ok (${h.sandbox.isolation})` : `NOT ok: ${h.sandbox?.error ?? "unknown"}`;
    console.log(`[dev] /health: ${h.ok ? "ok" : "NOT ok"} — D1 ${h.d1 ? "ok" : "NOT ok"}, sandbox ${sandbox}`);
  } catch (err) {
    console.warn(`[dev] /health did not answer: ${err instanceof Error ? err.message : String(err)}`);
  }
}

async function main() {
  await buildDashboardIfStale();
  console.log("[dev] applying D1 migrations (local)…");
  await applyMigrations(PERSIST);

  const vars = { KEYS_ENCRYPTION_SECRET: localEncryptionSecret() };
  const { sandbox, reason } = await startSandbox();
  if (sandbox) Object.assign(vars, { SANDBOX_URL: sandbox.url, SANDBOX_SECRET: sandbox.secret });

  // Provider keys a user puts in .env (see README) reach every Worker.
  // SaaS-only secrets are declared required for deploys; locally (AUTH_MODE=local) they stay empty.
  const defaults = { OIDC_CLIENT_SECRET: "", JWT_PRIVATE_JWK: "" };
  const stack = await startWorkers({ port: PORT, persistDir: PERSIST, vars, defaults }).catch(async (err) => {
    await sandbox?.stop(); // detached: it would outlive us
    throw err;
  });
  await reportHealth(stack.url);
  if (reason) degradedBanner(reason);
  console.log(
    `\n[dev] Proximus is up: http://localhost:${PORT}  (local mode, offline provider, no keys${sandbox ? "" : ", NO SANDBOX"})\n`,
  );

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
