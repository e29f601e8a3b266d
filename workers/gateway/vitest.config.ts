import path from "node:path";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

const root = path.resolve(import.meta.dirname, "../..");

export default defineConfig(async () => {
  const migrations = await readD1Migrations(path.join(root, "migrations"));
  return {
    root,
    plugins: [
      cloudflareTest(({ inject }) => ({
        wrangler: { configPath: path.join(root, "wrangler.toml") },
        // Unit tests run tasks in-process; the bus path is tested end to end in its own suite.
        miniflare: {
          bindings: {
            TEST_MIGRATIONS: migrations,
            BUS_MODE: "inline",
            SANDBOX_URL: inject("sandboxUrl"),
            SANDBOX_SECRET: inject("sandboxSecret"),
            KEYS_ENCRYPTION_SECRET: "test-only-encryption-secret-0123456789",
          },
          // The bus Workers the config binds to are not part of this suite (BUS_MODE is inline here);
          // these placeholders answer 503 so an accidental call fails loudly.
          workers: ["proximus-dev-broker", "proximus-agents"].map((name) => ({
            name,
            modules: true,
            script: `export default { fetch() { return new Response("${name} is not running in the gateway unit suite", { status: 503 }); } };`,
          })),
        },
      })),
    ],
    test: {
      name: "gateway",
      include: ["workers/gateway/**/*.test.ts", "durable-objects/**/*.test.ts"],
      // SaaS mode has its own suite (vitest.saas.config.ts) with AUTH_MODE=saas and an OIDC issuer.
      exclude: ["**/node_modules/**", "**/*.saas.test.ts"],
      setupFiles: ["workers/gateway/test/apply-migrations.ts"],
      globalSetup: ["workers/gateway/test/global-setup.ts"],
      testTimeout: 30_000,
    },
  };
});
