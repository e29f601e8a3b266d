import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

// Pure logic of the dashboard (live stream, reducers, layout, API client), run in plain Node.
export default defineConfig({
  root: fileURLToPath(new URL("..", import.meta.url)),
  test: {
    environment: "node",
    include: ["web/src/**/*.test.ts"],
    testTimeout: 20_000,
  },
});
