import { describe, expect, it } from "vitest";
import { memoryArtifactStore } from "../artifacts";
import { runOfflinePipeline, taskMessage } from "../offline/pipeline";
import { OfflineProvider, OFFLINE_MODEL } from "../offline/provider";
import { runTask, type SandboxRunner } from "../runtime";
import { localTestSandbox } from "../loop/testing/local-test-runner";
import type { QaResult } from "./qa";
import { AppError } from "@proximus/contracts";
import { SandboxClient, sandboxRunner } from "../tools/sandbox-client";

/** Test-only: really runs the files with Node 22 in a temp dir, with no isolation (the real runner is sandbox-host). */
const localSandbox = localTestSandbox;

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
