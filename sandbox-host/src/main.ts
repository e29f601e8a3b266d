import { startService } from "./app";
import { loadConfig } from "./config";

const log = (m: string) => console.error(`[sandbox-host] ${m}`);

// A hostile run must never take the service down; anything that escapes is logged, not fatal.
process.on("unhandledRejection", (e) => log(`unhandled rejection: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`));
process.on("uncaughtException", (e) => log(`uncaught exception: ${e.stack ?? e.message}`));

const running = await startService(loadConfig(process.env), log);
let stopping = false;
for (const sig of ["SIGINT", "SIGTERM"] as const) {
  process.on(sig, () => {
    if (stopping) return;
    stopping = true;
    log(`${sig}: stopping, destroying every sandbox`);
    running.stop().then(
      () => process.exit(0),
      (e: unknown) => {
        log(`stop failed: ${String(e)}`);
        process.exit(1);
      },
    );
  });
}
