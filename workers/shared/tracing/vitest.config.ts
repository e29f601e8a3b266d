import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    name: "tracing",
    environment: "node",
    root: new URL("../../..", import.meta.url).pathname,
    // The agents' span wiring and trace headers are tested here too: they need only Node.
    include: ["workers/shared/tracing/**/*.test.ts", "workers/agents/src/task-tracing.test.ts", "workers/agents/src/bus-sink.test.ts"],
    testTimeout: 10_000,
  },
});
