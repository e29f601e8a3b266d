import path from "node:path";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

const root = path.resolve(import.meta.dirname, "../..");

/** The gateway in SaaS mode (AUTH_MODE=saas) against a local OpenID Provider: `*.saas.test.ts`. */
export default defineConfig(async () => {
  const migrations = await readD1Migrations(path.join(root, "migrations"));
  return {
    root,
    plugins: [
      cloudflareTest(({ inject }) => ({
        wrangler: { configPath: path.join(root, "wrangler.toml") },
        miniflare: {
          bindings: {
            TEST_MIGRATIONS: migrations,
            AUTH_MODE: "saas",
            // Projects run in-process; no sandbox is needed to prove who may see them.
            BUS_MODE: "inline",
            SANDBOX_URL: "",
            KEYS_ENCRYPTION_SECRET: "test-only-encryption-secret-0123456789",
            OIDC_ISSUER: inject("issuerUrl"),
            OIDC_CLIENT_ID: "proximus-test-client",
            OIDC_CLIENT_SECRET: inject("oidcClientSecret"),
            OIDC_REDIRECT_URI: "http://proximus.test/auth/callback",
            JWT_PRIVATE_JWK: inject("gatewayJwk"),
            JWT_ISSUER: "http://proximus.test",
            JWT_AUDIENCE: "proximus-api",
            CORS_ORIGINS: "https://dashboard.example.test",
            RATE_LIMIT_IP_PER_MIN: "100",
            RATE_LIMIT_USER_PER_MIN: "60",
            RATE_LIMIT_AUTH_PER_MIN: "20",
          },
          workers: ["proximus-dev-broker", "proximus-agents"].map((name) => ({
            name,
            modules: true,
            script: `export default { fetch() { return new Response("${name} is not running in the gateway SaaS suite", { status: 503 }); } };`,
          })),
        },
      })),
    ],
    test: {
      name: "gateway-saas",
      include: ["workers/gateway/**/*.saas.test.ts"],
      setupFiles: ["workers/gateway/test/apply-migrations.ts"],
      globalSetup: ["workers/gateway/test/saas-global-setup.ts"],
      testTimeout: 30_000,
    },
  };
});
