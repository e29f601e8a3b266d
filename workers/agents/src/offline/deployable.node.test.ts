import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { runOfflinePipeline } from "./pipeline";

const ROOT = path.resolve(import.meta.dirname, "../../../..");
const run = promisify(execFile);

/** The generated project's files as the zip would have them: later roles override earlier paths. */
function projectFiles(objects: Map<string, Uint8Array>, order: string[]): Map<string, Uint8Array> {
  const files = new Map<string, Uint8Array>();
  for (const role of order) {
    const prefix = `p-local/${role}/1/`;
    for (const [key, bytes] of objects) if (key.startsWith(prefix)) files.set(key.slice(prefix.length), bytes);
  }
  return files;
}

describe("a generated project deploys the way Proximus does", () => {
  it("its wrangler config passes `wrangler deploy --dry-run`", async () => {
    const roles = ["ceo", "cto", "engineer_fe", "engineer_be", "devops"] as const;
    const { results, objects } = await runOfflinePipeline("a booking app for dog groomers", { sandbox: null, roles: [...roles] });
    for (const r of roles) expect(results.get(r)?.status, `${r}: ${results.get(r)?.error ?? ""}`).toBe("succeeded");

    const dir = mkdtempSync(path.join(tmpdir(), "proximus-generated-"));
    try {
      for (const [file, bytes] of projectFiles(objects, [...roles])) {
        mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
        writeFileSync(path.join(dir, file), bytes);
      }
      const config = ["wrangler.jsonc", "wrangler.json", "wrangler.toml"].find((f) => existsSync(path.join(dir, f)));
      expect(config, `no wrangler config among ${readdirSync(dir).join(", ")}`).toBeDefined();
      const out = path.join(dir, ".dry-run");
      const { stdout } = await run(
        path.join(ROOT, "node_modules/node/bin/node"),
        [path.join(ROOT, "node_modules/wrangler/bin/wrangler.js"), "deploy", "--dry-run", "--outdir", out, "-c", path.join(dir, config!)],
        {
          cwd: dir,
          env: { ...process.env, WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false", CI: "true" },
          timeout: 120_000,
        },
      );
      expect(stdout).toContain("--dry-run: exiting now.");
      expect(readdirSync(out).some((f) => f.endsWith(".js"))).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);
});
