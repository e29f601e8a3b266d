// Starts a real sandbox-host for tests and benches: random port, random secret, torn down after.
import { randomBytes } from "node:crypto";
import { createServer } from "node:net";
import path from "node:path";
import { ROOT, TSX, spawnNode, killTree, waitForHttp } from "./proc.mjs";

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

export async function startSandboxHost(extraEnv = {}) {
  const port = await freePort();
  const secret = randomBytes(32).toString("hex");
  const child = spawnNode(TSX, [path.join(ROOT, "sandbox-host/src/main.ts")], {
    env: { SANDBOX_PORT: String(port), SANDBOX_SECRET: secret, ...extraEnv },
    stdio: ["ignore", "inherit", "inherit"],
    detached: true,
  });
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitForHttp(`${url}/health`, 60_000);
  } catch (err) {
    killTree(child);
    throw err;
  }
  return {
    url,
    secret,
    stop: async () => {
      killTree(child, "SIGTERM");
      await new Promise((r) => (child.exitCode !== null ? r() : child.once("exit", r)));
    },
  };
}
