import { execFile } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const ROOT = path.resolve(import.meta.dirname, "..");
const NODE = path.join(ROOT, "node_modules/node/bin/node");
const WRANGLER = path.join(ROOT, "node_modules/wrangler/bin/wrangler.js");
const env = { ...process.env, WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false", CI: "true" };
const run = promisify(execFile);

describe("npm run deploy", () => {
  for (const target of [undefined, "staging", "production"]) {
    it(`bundles every Worker with wrangler deploy --dry-run${target ? ` (--env ${target})` : ""}`, async () => {
      const args = [path.join(ROOT, "scripts/deploy.mjs"), "--dry-run", ...(target ? ["--env", target] : [])];
      const { stdout } = await run(NODE, args, { cwd: ROOT, env, timeout: 170_000 });
      expect(stdout).toMatch(/^ok {3}proximus-agents/m);
      expect(stdout).toMatch(/^ok {3}proximus-gateway/m);
      expect(stdout).not.toMatch(/^FAIL/m);
    });
  }
});

describe("gateway bundle", () => {
  // Runs after the dry-runs above (same file, in order): their bundles are in .tmp/dry-run.
  it("leaves the agents' LLM and vector-store SDKs out of deployed gateways; the local build keeps them for BUS_MODE=inline", () => {
    const bundle = (target: string) => readFileSync(path.join(ROOT, ".tmp/dry-run", target, "proximus-gateway/index.js"), "utf8");
    const sdkMarkers = ["api.anthropic.com", "api.openai.com", "QdrantClient"];
    const local = bundle("default");
    for (const target of ["staging", "production"]) {
      const deployed = bundle(target);
      for (const marker of sdkMarkers) expect(deployed.includes(marker), `${marker} in the ${target} gateway`).toBe(false);
      expect(deployed.length).toBeLessThan(local.length / 2);
    }
    for (const marker of sdkMarkers) expect(local.includes(marker), `${marker} in the local gateway`).toBe(true);
  });
});

describe("generated Env types", () => {
  // Style rule: `Env` comes from `wrangler types` and is committed; a config change without
  // regenerating (npm run types) fails here.
  for (const [config, committed] of [
    ["wrangler.toml", "workers/gateway/worker-configuration.d.ts"],
    ["workers/agents/wrangler.toml", "workers/agents/worker-configuration.d.ts"],
  ] as const) {
    it(`${committed} matches ${config}`, async () => {
      // Generated beside the committed file: its import paths are relative to where it is written.
      const out = path.join(ROOT, path.dirname(committed), `.types-check-${process.pid}.d.ts`);
      try {
        await run(NODE, [WRANGLER, "types", "--strict-vars=false", "-c", config, out], { cwd: ROOT, env, timeout: 120_000 });
        // The first lines name the command and output path; the declarations must be identical.
        const body = (f: string) => readFileSync(f, "utf8").split("\n").slice(2).join("\n");
        expect(body(out) === body(path.join(ROOT, committed)), `${committed} is stale: run npm run types`).toBe(true);
      } finally {
        rmSync(out, { force: true });
      }
    });
  }
});
