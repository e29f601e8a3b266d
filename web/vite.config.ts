import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";

// `npm run build` runs from the repo root, so every path is anchored to this file, not the cwd.
const webRoot = fileURLToPath(new URL(".", import.meta.url));

export default defineConfig({
  root: webRoot,
  base: "/",
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL("./dist", import.meta.url)),
    emptyOutDir: true,
    // Off: the maps doubled the download (2.6 MB) and published the source; debug with `vite` locally.
    sourcemap: false,
    chunkSizeWarningLimit: 1500,
  },
  server: {
    // `vite --config web/vite.config.ts` for UI work against a running gateway.
    proxy: {
      "/api": { target: process.env.PROXIMUS_URL ?? "http://localhost:8787", ws: true, changeOrigin: true },
      "/auth": { target: process.env.PROXIMUS_URL ?? "http://localhost:8787", changeOrigin: true },
    },
  },
});
