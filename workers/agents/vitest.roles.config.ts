import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

/** Role agents, offline provider, runtime, artifacts and DevOps validators. Node, because QA's tests spawn Node 22. */
export default defineConfig({
  test: {
    root: fileURLToPath(new URL("../..", import.meta.url)),
    include: [
      "workers/agents/src/{roles,offline,runtime,artifacts,devops-validate,executor}/**/*.test.ts",
      "workers/agents/src/runtime.test.ts",
      "workers/agents/src/artifacts.test.ts",
    ],
    environment: "node",
    testTimeout: 30_000,
  },
});
