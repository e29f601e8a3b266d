// Shared by the benches that need the whole local stack: a throwaway state dir, wrangler dev on a
// free port, always torn down; and the percentile they all print.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { applyMigrations, startWorkers } from "../../scripts/lib/stack.mjs";
import { freePort } from "../../scripts/lib/sandbox-host.mjs";

export const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] : NaN;
};

/** Runs `fn(stack)` against a fresh local stack (no sandbox host), exiting non-zero on failure. */
export function benchWithStack(name, vars, fn) {
  const run = async () => {
    const dir = mkdtempSync(path.join(tmpdir(), `proximus-bench-${name}-`));
    const persistDir = path.join(dir, "state");
    await applyMigrations(persistDir);
    const stack = await startWorkers({ port: await freePort(), persistDir, vars, stdio: ["ignore", "ignore", "ignore"] });
    try {
      await fn(stack);
    } finally {
      await stack.kill();
      rmSync(dir, { recursive: true, force: true });
    }
  };
  run().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
