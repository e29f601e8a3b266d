import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    environment: "node",
    root: new URL("..", import.meta.url).pathname,
    include: ["sandbox-host/src/**/*.test.ts", "workers/agents/src/tools/sandbox-client.node.test.ts"],
    // Sandboxes are heavy on 2 cores: files run one after another, tests inside a file too.
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
