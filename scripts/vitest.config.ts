import { defineConfig } from "vitest/config";

// The scripts themselves: dry-run deploys, generated types up to date, system-deps profiles, the dev sandbox supervisor.
export default defineConfig({
  test: { name: "deploy", environment: "node", include: ["scripts/**/*.test.ts"], testTimeout: 180_000 },
});
