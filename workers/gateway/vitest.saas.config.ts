import { defineConfig } from "vitest/config";
import { gatewayWorkerdProject } from "./test/workerd-project";

/** The gateway in SaaS mode (AUTH_MODE=saas) against a local OpenID Provider: `*.saas.test.ts`. */
export default defineConfig(() =>
  gatewayWorkerdProject({
    name: "gateway-saas",
    include: ["workers/gateway/**/*.saas.test.ts"],
    globalSetup: "workers/gateway/test/saas-global-setup.ts",
    bindings: (inject) => ({
      AUTH_MODE: "saas",
      // Projects run in-process; no sandbox is needed to prove who may see them.
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
    }),
  }),
);
