#!/usr/bin/env node
// `npm run deploy [-- --env production] [-- --dry-run]`: applies D1 migrations remotely, then
// deploys every Worker in dependency order, and says which secrets are still missing.
// `--dry-run` bundles every Worker with `wrangler deploy --dry-run` and touches nothing remote.
import { existsSync, mkdirSync, statSync } from "node:fs";
import path from "node:path";
import { spawn } from "node:child_process";
import { ROOT, WRANGLER, OFFLINE_ENV, node22 } from "./lib/proc.mjs";

/** Deploy order: the gateway binds the agents Worker, so the agents go first. The dev broker is never deployed. */
export const DEPLOYABLE = [
  { name: "proximus-agents", config: "workers/agents/wrangler.toml", secrets: ["SANDBOX_SECRET", "KEYS_ENCRYPTION_SECRET"] },
  { name: "proximus-gateway", config: "wrangler.toml", secrets: ["KEYS_ENCRYPTION_SECRET", "OIDC_CLIENT_SECRET", "JWT_PRIVATE_JWK"] },
];

function wrangler(args, { capture = false } = {}) {
  return new Promise((resolve) => {
    const child = spawn(node22(), [WRANGLER, ...args], {
      cwd: ROOT,
      env: { ...process.env, ...OFFLINE_ENV },
      stdio: capture ? ["ignore", "pipe", "pipe"] : "inherit",
    });
    let out = "";
    if (capture) {
      child.stdout.on("data", (d) => (out += d));
      child.stderr.on("data", (d) => (out += d));
    }
    child.on("exit", (code) => resolve({ code: code ?? 1, out }));
  });
}

async function missingSecrets(w, envArgs) {
  const { code, out } = await wrangler(["secret", "list", "-c", w.config, ...envArgs, "--format", "json"], { capture: true });
  if (code !== 0) return { unknown: true, missing: w.secrets };
  const start = out.indexOf("[");
  const names = new Set(JSON.parse(out.slice(start)).map((s) => s.name));
  return { unknown: false, missing: w.secrets.filter((s) => !names.has(s)) };
}

async function main() {
  const argv = process.argv.slice(2);
  const dryRun = argv.includes("--dry-run");
  const envIdx = argv.indexOf("--env");
  const env = envIdx >= 0 ? argv[envIdx + 1] : undefined;
  const envArgs = env ? ["--env", env] : [];
  let failed = 0;

  if (dryRun) {
    for (const w of DEPLOYABLE) {
      const outdir = path.join(ROOT, ".tmp/dry-run", env ?? "default", w.name);
      mkdirSync(outdir, { recursive: true });
      const { code } = await wrangler(["deploy", "--dry-run", "--outdir", outdir, "-c", w.config, ...envArgs]);
      const bundle = path.join(outdir, "index.js");
      const size = existsSync(bundle) ? ` (bundle ${(statSync(bundle).size / 1024).toFixed(0)} KiB)` : "";
      console.log(
        `${code === 0 ? "ok  " : "FAIL"} ${w.name}${env ? ` (${env})` : ""}: wrangler deploy --dry-run → ${path.relative(ROOT, outdir)}${size}`,
      );
      if (code !== 0) failed++;
      console.log(`     secrets it needs: ${w.secrets.join(", ")}`);
    }
    process.exit(failed ? 1 : 0);
  }

  if (!env) {
    // The top-level config is the local one (AUTH_MODE=local, dev broker): never publish it.
    console.error("[deploy] name an environment: npm run deploy -- --env staging|production (dry runs may omit it)");
    process.exit(2);
  }
  console.log(`[deploy] D1 migrations → remote (${env})`);
  if ((await wrangler(["d1", "migrations", "apply", "proximus", "--remote", "-c", "wrangler.toml", ...envArgs])).code !== 0) {
    console.error("[deploy] D1 migrations failed: is `database_id` in wrangler.toml your database's id (`wrangler d1 create proximus`)?");
    process.exit(1);
  }
  for (const w of DEPLOYABLE) {
    const s = await missingSecrets(w, envArgs);
    if (s.missing.length) {
      console.warn(`[deploy] ${w.name} is missing secrets: ${s.missing.join(", ")}`);
      console.warn(`         set each with: npx wrangler secret put NAME -c ${w.config}${env ? ` --env ${env}` : ""}`);
      if (s.unknown) console.warn("         (a new Worker: wrangler deploy --secrets-file FILE sets them on the first deploy)");
    }
    console.log(`[deploy] ${w.name}`);
    if ((await wrangler(["deploy", "-c", w.config, ...envArgs])).code !== 0) {
      console.error(`[deploy] ${w.name} failed; stopping (the Workers after it depend on it).`);
      process.exit(1);
    }
  }
  console.log("[deploy] done. The sandbox host is deployed separately: see sandbox-host/README.md.");
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
