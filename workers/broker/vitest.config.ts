import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

// Repo root, so paths below read the same whatever directory vitest is started from.
const root = decodeURIComponent(new URL("../..", import.meta.url).pathname);

export default defineConfig({
  root,
  plugins: [
    cloudflareTest({
      main: "./workers/broker/test/worker.ts",
      wrangler: { configPath: "./workers/broker/wrangler.toml" },
      miniflare: {
        // Short instance timeout and two simulated proxy nodes: expiry and base_uri are exercised by every suite.
        bindings: { BROKER_BASIC_AUTH: "dev:secret", BROKER_TOPICS: "ai-org-dlq:1", BROKER_INSTANCE_TIMEOUT_MS: "2000", BROKER_NODES: "2" },
        durableObjects: { LOOP: "LoopTestDO" },
        queueProducers: { TEST_QUEUE: { queueName: "bus-contract" }, TEST_DLQ: { queueName: "bus-contract-dlq" } },
        queueConsumers: {
          "bus-contract": { maxBatchSize: 10, maxBatchTimeout: 0, maxRetries: 10, retryDelay: 0 },
          "bus-contract-dlq": { maxBatchSize: 10, maxBatchTimeout: 0 },
        },
      },
    }),
  ],
  test: {
    include: ["workers/broker/**/*.test.ts", "workers/shared/bus/**/*.test.ts"],
    // Those run against a real Kafka: workers/shared/bus/vitest.real-kafka.config.ts.
    exclude: ["**/node_modules/**", "**/*.real-kafka*.test.ts"],
    testTimeout: 20_000,
  },
});
