import { rm } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ScorecardEntry } from "@proximus/contracts/scorecard";
import { SandboxClient } from "@proximus/agents/tools/sandbox-client";
import { runGates, type WorkspaceFile } from "@proximus/shared/gates/run";
import { templateById } from "@proximus/shared/templates";
import type { RunningService } from "./app";
import { realSandboxUnavailable, startTestService, TEST_SECRET, TEST_TOOLCHAIN_DIR } from "./testing/fixture";

const skip = await realSandboxUnavailable();
if (skip) console.warn(`\n\n!!!!! ${skip} !!!!!\n\n`);

const template = templateById("hono-d1-react");
if (!template) throw new Error("template hono-d1-react is not registered");

const replaceIn = (files: WorkspaceFile[], path: string, edit: (s: string) => string): WorkspaceFile[] =>
  files.map((f) => (f.path === path ? { ...f, content: edit(f.content) } : f));

const entry = (entries: ScorecardEntry[], gate: ScorecardEntry["gate"]): ScorecardEntry => {
  const e = entries.find((x) => x.gate === gate);
  if (!e) throw new Error(`no ${gate} entry`);
  return e;
};

describe.skipIf(skip !== null)("gates over the hono-d1-react template, from the read-only toolchain layer (gVisor)", () => {
  let svc: RunningService & { stateDir: string };
  let client: SandboxClient;
  const run = (req: Parameters<SandboxClient["run"]>[0]) => client.run(req);

  beforeAll(async () => {
    // Installs the layer on the first run of this checkout (npm registry), then reuses it by lockfile hash.
    svc = await startTestService({ poolSize: 1, maxQueue: 4, toolchainDir: TEST_TOOLCHAIN_DIR });
    client = new SandboxClient({ url: svc.url, secret: TEST_SECRET, maxAttempts: 1 });
    await svc.pool.waitReady(1, 60_000);
  }, 600_000);
  afterAll(async () => {
    await svc?.stop();
    if (svc) await rm(svc.stateDir, { recursive: true, force: true });
  });

  it("gives every sandbox the layer read-only at /work/node_modules, with writable scratch dirs for the tools", async () => {
    const script = [
      "const fs = require('node:fs');",
      "const tryWrite = (p) => { try { fs.writeFileSync(p, 'x'); return 'ok'; } catch (e) { return e.code; } };",
      "console.log(JSON.stringify({ hono: require.resolve('hono'), own: tryWrite('node_modules/x'),",
      "  viteTemp: tryWrite('node_modules/.vite-temp/x'), bins: process.env.PATH.split(':').includes('/work/node_modules/.bin') }));",
    ].join("\n");
    const r = await client.run({ runtime: "node", command: ["node", "-e", script], timeoutMs: 30_000 });
    expect(r.exitCode, r.stderr).toBe(0);
    const seen = JSON.parse(r.stdout) as { own: string };
    // Root-owned files and a read-only bind: the sandbox user meets the permission check first.
    expect(["EROFS", "EACCES"]).toContain(seen.own);
    expect(seen).toEqual({ hono: "/work/node_modules/hono/dist/cjs/index.js", own: seen.own, viteTemp: "ok", bins: true });
    await svc.pool.waitReady(1, 60_000);
  });

  it("passes typecheck, vitest in workerd, the UI build, the dry-run deploy and the smoke run", async () => {
    const card = await runGates(run, template.files, template.gates);
    const detail = JSON.stringify(
      card.entries.filter((e) => !e.passed),
      null,
      1,
    );
    expect(card.entries.map((e) => e.gate)).toEqual(["typecheck", "tests", "ui_build", "deploy_dry_run", "smoke"]);
    expect(card.passed, detail).toBe(true);
    expect(entry(card.entries, "typecheck")).toMatchObject({ summary: "no type errors (2 programs)", failures: [] });
    expect(entry(card.entries, "tests").metrics).toMatchObject({ total: 3, passed: 3, failed: 0 });
    expect(entry(card.entries, "ui_build").metrics.assetsBytes).toBeGreaterThan(1_000);
    expect(entry(card.entries, "deploy_dry_run").metrics.bundleBytes).toBeGreaterThan(10_000);
    const smoke = entry(card.entries, "smoke");
    expect(smoke).toMatchObject({ summary: "5 of 5 routes answered as specified", metrics: { total: 5, passed: 5 } });
    for (const e of card.entries) expect(e.durationMs).toBeGreaterThan(0);
  }, 400_000);

  it("reports a planted type error and a failing test precisely", async () => {
    const health = `app.get("/api/health", (c) => c.json({ ok: true }));`;
    let files = replaceIn(template.files, "src/index.ts", (s) => s.replace(health, `${health}\n  const port: number = "8787";`));
    const assertion = "expect(await res.json()).toEqual({ ok: true });";
    files = replaceIn(files, "test/items.test.ts", (s) => s.replace(assertion, assertion.replace("ok: true", "ok: false")));
    const card = await runGates(run, files, template.gates, ["typecheck", "tests"]);
    expect(card.passed).toBe(false);

    const typecheck = entry(card.entries, "typecheck");
    expect(typecheck.passed).toBe(false);
    const message = "Type 'string' is not assignable to type 'number'.";
    expect(typecheck.failures).toEqual([{ file: "src/index.ts", line: 8, column: 9, code: "TS2322", message }]);
    expect(typecheck.summary).toBe("1 type error in 1 file (2 programs)");

    const tests = entry(card.entries, "tests");
    expect(tests).toMatchObject({ passed: false, summary: "2 of 3 tests passed, 1 failed", metrics: { total: 3, passed: 2, failed: 1 } });
    expect(tests.failures).toHaveLength(1);
    expect(tests.failures[0]).toMatchObject({ file: "test/items.test.ts", test: "items API on D1 answers the health check", line: 13 });
    expect(tests.failures[0]?.message).toMatch(/expected \{ ok: true \} to deeply equal \{ ok: false \}/);
  }, 400_000);

  it("fails the dry-run deploy of a project importing a package the layer lacks, with wrangler's own error", async () => {
    const files = replaceIn(template.files, "src/index.ts", (s) => `import express from "express";\nconsole.log(express);\n${s}`);
    const card = await runGates(run, files, template.gates, ["deploy_dry_run"]);
    expect(card.entries).toEqual([
      {
        gate: "deploy_dry_run",
        passed: false,
        durationMs: expect.any(Number),
        summary: "wrangler deploy --dry-run failed",
        failures: [{ message: 'Build failed with 1 error:\nsrc/index.ts:1:20: ERROR: Could not resolve "express"' }],
        metrics: {},
      },
    ]);
  }, 400_000);
});
