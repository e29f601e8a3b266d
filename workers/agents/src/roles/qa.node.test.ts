import { spawn } from "node:child_process";
import { mkdtemp, mkdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { memoryArtifactStore } from "../artifacts";
import { runOfflinePipeline, taskMessage } from "../offline/pipeline";
import { OfflineProvider, OFFLINE_MODEL } from "../offline/provider";
import { runTask, type SandboxRunner } from "../runtime";
import type { QaResult } from "./qa";
import { AppError } from "@proximus/contracts";
import { SandboxClient, sandboxRunner } from "../tools/sandbox-client";

const NODE22 = resolve(fileURLToPath(new URL("../../../../", import.meta.url)), "node_modules/node/bin/node");

/**
 * Test-only SandboxRunner: really executes the files with Node 22 in a temp dir (no isolation —
 * the real runner is sandbox-host). "node" in the command means the pinned Node 22 binary.
 */
const localSandbox: SandboxRunner = {
  async run(req) {
    const dir = await mkdtemp(join(tmpdir(), "proximus-qa-"));
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

describe("QA runs the generated project's tests for real", () => {
  it("passes on the offline project for the dog-groomer idea, with counts parsed from the real run", async () => {
    const { results } = await runOfflinePipeline("a booking app for dog groomers", {
      sandbox: localSandbox,
      roles: ["ceo", "cto", "engineer_fe", "engineer_be", "qa"],
    });
    const qa = results.get("qa")!;
    expect(qa.status, qa.error).toBe("succeeded");
    const out = qa.output as QaResult;
    expect(out.passed).toBe(true);
    expect(out.tests?.exitCode).toBe(0);
    expect(out.tests?.format).toBe("tap");
    expect(out.tests?.failedCount).toBe(0);
    expect(out.tests?.total).toBeGreaterThanOrEqual(15);
    expect(out.tests?.passedCount).toBe(out.tests?.total);
    expect(out.feedback).toBeUndefined();
    expect(qa.artifacts.map((a) => a.path)).toEqual(["reports/qa-report.md", "reports/test-output.txt"]);
  });

  it("fails with failures and feedback for the Engineers when the backend is broken", async () => {
    const objects = new Map<string, Uint8Array>();
    const { results } = await runOfflinePipeline("a booking app for dog groomers", {
      sandbox: localSandbox,
      objects,
      roles: ["ceo", "cto", "engineer_fe", "engineer_be"],
    });
    // Break the stored backend the way a bad fix would: the Worker answers 200 instead of 201 on create.
    const be = results.get("engineer_be")!;
    const ref = be.artifacts.find((a) => a.path === "src/index.js")!;
    const broken = new TextDecoder().decode(objects.get(ref.key)!).replace("return json(201, row);", "return json(200, row);");
    const brokenRef = await memoryArtifactStore("p-local/engineer_be_fix/1/", objects).put("src/index.js", broken);
    results.set("engineer_be", { ...be, artifacts: be.artifacts.map((a) => (a.path === "src/index.js" ? brokenRef : a)) });

    const qa = await runTask(taskMessage("a booking app for dog groomers", "qa", results, []), {
      resolveProvider: () => ({ provider: new OfflineProvider(), model: OFFLINE_MODEL }),
      artifacts: memoryArtifactStore("p-local/qa/1/", objects),
      emit: () => undefined,
      sandbox: localSandbox,
      now: () => 0,
    });
    expect(qa.status).toBe("succeeded");
    const out = qa.output as QaResult;
    expect(out.passed).toBe(false);
    expect(out.tests?.exitCode).not.toBe(0);
    expect(out.tests?.failedCount).toBeGreaterThan(0);
    expect(out.failures.length).toBe(out.tests?.failures.length);
    expect(out.failures.some((f) => /create, read, list, update, delete/.test(f.name) && /201/.test(f.message))).toBe(true);
    expect(out.summary).toMatch(/^Tests FAILED/);
    // The failing output names the backend's test file, so the fix round goes to the backend Engineer only.
    expect(out.implicatedPaths?.some((p) => p.startsWith("test/"))).toBe(true);
    expect(out.implicatedPaths?.some((p) => p.startsWith("public/"))).toBe(false);
    expect(out.feedback).toMatch(/tests failed/);
  });

  it("waits, instead of failing, when the sandbox host is down; a request it refuses is a plain failure", async () => {
    const objects = new Map<string, Uint8Array>();
    const { results } = await runOfflinePipeline("a booking app for dog groomers", {
      sandbox: localSandbox,
      objects,
      roles: ["ceo", "cto", "engineer_fe", "engineer_be"],
    });
    // What the real client sees when nothing listens on SANDBOX_URL.
    const client = new SandboxClient({ url: "http://127.0.0.1:9", secret: "s".repeat(32), maxAttempts: 1 });
    const deps = (sandbox: SandboxRunner) => ({
      resolveProvider: () => ({ provider: new OfflineProvider(), model: OFFLINE_MODEL }),
      artifacts: memoryArtifactStore("p-local/qa/1/", objects),
      emit: () => undefined,
      sandbox,
      now: () => 0,
    });
    const down = await runTask(taskMessage("a booking app for dog groomers", "qa", results, []), deps(sandboxRunner(client)));
    expect(down.status).toBe("failed");
    expect(down.permanent).toBe(false);
    expect(down.waitFor, down.error).toMatch(/^sandbox host unreachable/);

    const refusing: SandboxRunner = {
      run: () => Promise.reject(new AppError("validation_failed", "sandbox-host: files exceed 8388608 bytes")),
    };
    const refused = await runTask(taskMessage("a booking app for dog groomers", "qa", results, []), deps(refusing));
    expect(refused.status).toBe("failed");
    expect(refused.waitFor).toBeUndefined();
    expect(refused.error).toMatch(/files exceed/);
  });
});
