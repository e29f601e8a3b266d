import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

/** Agent loop, tools, context management and the model-simulator kit. Node: tests run node --test and HTTP servers. */
export default defineConfig({
  test: {
    root: fileURLToPath(new URL("../..", import.meta.url)),
    include: ["workers/agents/src/{loop,sim}/**/*.test.ts", "sim/**/*.test.ts"],
    environment: "node",
    testTimeout: 30_000,
  },
});
