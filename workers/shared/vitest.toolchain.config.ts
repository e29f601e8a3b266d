import { defineConfig } from "vitest/config";

// Pure parts of the toolchain layer, the templates and the gates (their real sandbox run is in sandbox-host/src/gates.test.ts).
export default defineConfig({
  test: {
    name: "toolchain",
    environment: "node",
    root: new URL("../..", import.meta.url).pathname,
    include: ["workers/shared/{gates,templates,toolchain}/**/*.test.ts"],
  },
});
