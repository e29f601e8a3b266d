import { defineConfig } from "vitest/config";
import { gatewayWorkerdProject } from "./test/workerd-project";

/** The gateway and the ProjectDO in local mode, with a real sandbox host for the end-to-end run. */
export default defineConfig(() =>
  gatewayWorkerdProject({
    name: "gateway",
    include: ["workers/gateway/**/*.test.ts", "durable-objects/**/*.test.ts"],
    // SaaS mode has its own suite (vitest.saas.config.ts) with AUTH_MODE=saas and an OIDC issuer.
    exclude: ["**/node_modules/**", "**/*.saas.test.ts"],
    globalSetup: "workers/gateway/test/global-setup.ts",
    bindings: (inject) => ({
      SANDBOX_URL: inject("sandboxUrl"),
      SANDBOX_SECRET: inject("sandboxSecret"),
      KEYS_ENCRYPTION_SECRET: "test-only-encryption-secret-0123456789",
      // Requests in this suite go to http://proximus.test, not localhost.
      LOCAL_MODE_PUBLIC: "1",
    }),
  }),
);
