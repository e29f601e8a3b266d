import { spawn } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { SandboxRunner } from "../../tools/sandbox-runner";

const NODE22 = resolve(fileURLToPath(new URL("../../../../../", import.meta.url)), "node_modules/node/bin/node");

/**
 * TEST-ONLY SandboxRunner: really runs the files with the pinned Node 22 in a temp dir, with NO
 * isolation (the real runner is sandbox-host under gVisor). "node" in the command means Node 22.
 */
export const localTestSandbox: SandboxRunner = {
  async run(req) {
    const dir = await mkdtemp(join(tmpdir(), "proximus-loop-"));
    const started = Date.now();
    try {
      for (const f of req.files) {
        await mkdir(dirname(join(dir, f.path)), { recursive: true });
        await writeFile(join(dir, f.path), f.content);
      }
      const [cmd, ...args] = req.command;
      const child = spawn(cmd === "node" ? NODE22 : (cmd ?? "false"), args, { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
      child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        child.kill("SIGKILL");
      }, req.timeoutMs);
      const exitCode = await new Promise<number | null>((res) => child.on("close", (code) => res(code)));
      clearTimeout(timer);
      return {
        exitCode,
        stdout,
        stderr,
        timedOut,
        durationMs: Date.now() - started,
        isolation: "none (test-only local runner)",
        ...(timedOut ? { killedReason: "timeout" } : {}),
      };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  },
};
