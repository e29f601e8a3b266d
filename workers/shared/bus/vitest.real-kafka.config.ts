import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

// Repo root, so paths below read the same whatever directory vitest is started from.
const root = decodeURIComponent(new URL("../../..", import.meta.url).pathname);

/** The bus adapter contract against a real Kafka behind Karapace (Java 17, Maven, Python ≥ 3.12 and Go on the machine). */
export default defineConfig({
  root,
  plugins: [
    cloudflareTest({
      main: "./workers/broker/test/worker.ts",
      wrangler: { configPath: "./workers/broker/wrangler.toml" },
      miniflare: { durableObjects: { LOOP: "LoopTestDO" } },
    }),
  ],
  test: {
    include: ["workers/shared/bus/**/*.real-kafka.test.ts"],
    globalSetup: ["./workers/shared/bus/testing/real-kafka.setup.ts"],
    testTimeout: 60_000,
    hookTimeout: 600_000,
  },
});
