import { fileURLToPath } from "node:url";
import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

const root = fileURLToPath(new URL("../..", import.meta.url));

/**
 * Semantic memory. Two projects: Node for the wire-protocol tests (local HTTP servers speaking
 * Qdrant's REST API and OpenAI's /v1/embeddings), workerd with a real D1 binding for the
 * embedded store and the runTask integration.
 */
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "memory-node",
          root,
          include: ["workers/agents/src/memory/**/*.node.test.ts"],
          environment: "node",
          testTimeout: 15_000,
        },
      },
      {
        plugins: [
          cloudflareTest(({ inject }) => ({
            miniflare: {
              compatibilityDate: "2026-10-01",
              compatibilityFlags: ["nodejs_compat"],
              d1Databases: ["DB"],
              bindings: { QDRANT_URL: inject("qdrantUrl") },
            },
          })),
        ],
        test: {
          name: "memory-workerd",
          root,
          include: ["workers/agents/src/memory/**/*.workerd.test.ts"],
          globalSetup: ["workers/agents/src/memory/testing/qdrant-global-setup.ts"],
          testTimeout: 30_000,
        },
      },
    ],
  },
});
