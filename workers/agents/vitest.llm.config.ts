import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

/** The LLM layer's tests: real local HTTP servers speaking each vendor's protocol, so Node, not workerd. */
export default defineConfig({
  test: {
    root: fileURLToPath(new URL("../..", import.meta.url)),
    include: ["workers/agents/src/llm/**/*.test.ts"],
    environment: "node",
    testTimeout: 10_000,
  },
});
