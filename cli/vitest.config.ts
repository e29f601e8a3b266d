import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

// The CLI runs as a child process against a local fake gateway: plain Node, no workerd.
export default defineConfig({
  root: fileURLToPath(new URL("..", import.meta.url)),
  test: {
    environment: "node",
    include: ["cli/**/*.test.mjs"],
    testTimeout: 20_000,
  },
});
