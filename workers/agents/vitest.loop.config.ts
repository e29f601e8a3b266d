import { fileURLToPath } from "node:url";
import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

const root = fileURLToPath(new URL("../..", import.meta.url));

/**
 * Agent loop, tools, context management and the model-simulator kit. Node for most (tests run
 * node --test and HTTP servers); workerd to prove the loop itself runs in a Worker.
 */
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "loop-node",
          root,
          include: ["workers/agents/src/{loop,sim}/**/*.test.ts", "sim/**/*.test.ts"],
          exclude: ["**/*.workerd.test.ts"],
          environment: "node",
          testTimeout: 30_000,
        },
      },
      {
        plugins: [cloudflareTest({ miniflare: { compatibilityDate: "2026-10-01", compatibilityFlags: ["nodejs_compat"] } })],
        test: {
          name: "loop-workerd",
          root,
          include: ["workers/agents/src/loop/**/*.workerd.test.ts"],
          testTimeout: 30_000,
        },
      },
    ],
  },
});
