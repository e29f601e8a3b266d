import { defineConfig } from "vitest/config";

// The deployment scripts and configs themselves: dry-run deploys, generated types up to date.
export default defineConfig({
  test: { name: "deploy", environment: "node", include: ["scripts/**/*.test.ts"], testTimeout: 180_000 },
});
