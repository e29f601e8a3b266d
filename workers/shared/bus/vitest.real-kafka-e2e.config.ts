import { defineConfig } from "vitest/config";

/** One project end to end with a real Kafka behind Karapace as the bus (wrangler dev + sandbox host + Kafka + Karapace). */
export default defineConfig({
  test: {
    name: "real-kafka-e2e",
    environment: "node",
    include: ["workers/shared/bus/**/*.real-kafka-e2e.test.ts"],
    globalSetup: ["./workers/shared/bus/testing/real-kafka.setup.ts"],
    testTimeout: 600_000,
    hookTimeout: 600_000,
    fileParallelism: false,
  },
});
