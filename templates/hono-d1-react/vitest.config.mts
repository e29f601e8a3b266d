import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

// Tests run inside workerd with the D1 binding from wrangler.jsonc; test/apply-migrations.ts applies migrations/.
export default defineConfig(async () => {
  const migrations = await readD1Migrations("migrations");
  return {
    cacheDir: ".vite-cache",
    plugins: [cloudflareTest({ wrangler: { configPath: "./wrangler.jsonc" }, miniflare: { bindings: { TEST_MIGRATIONS: migrations } } })],
    test: {
      include: ["test/**/*.test.ts"],
      setupFiles: ["test/apply-migrations.ts"],
    },
  };
});
