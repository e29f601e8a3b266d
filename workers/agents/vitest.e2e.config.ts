import { defineConfig } from "vitest/config";

// End-to-end over the real bus: wrangler dev (gateway + agents + dev broker) and a real sandbox host.
export default defineConfig({
  test: {
    name: "bus-e2e",
    environment: "node",
    include: ["workers/agents/src/**/*.e2e.test.ts"],
    testTimeout: 600_000,
    hookTimeout: 180_000,
    fileParallelism: false,
  },
});
