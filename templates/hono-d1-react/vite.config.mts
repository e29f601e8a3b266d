import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// The UI lives in ui/ and is built into dist/, which wrangler.jsonc serves as static assets.
export default defineConfig({
  root: "ui",
  plugins: [react()],
  // Caches go to /tmp-like project dirs, never into node_modules (read-only in the sandbox).
  cacheDir: "../.vite-cache",
  build: { outDir: "../dist", emptyOutDir: true },
});
