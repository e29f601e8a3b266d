/**
 * Time per gate and in total for the hono-d1-react template, each gate in a warm-pool sandbox
 * (the pool is refilled and ready before every gate, as on an idle sandbox host), over the real
 * HTTP API, from the read-only toolchain layer. Prints the figures of this one run.
 * Run as root: node_modules/.bin/tsx bench/gates/run.ts
 */
import { rm } from "node:fs/promises";
import { SandboxClient } from "@proximus/agents/tools/sandbox-client";
import { readDriverOutput } from "@proximus/shared/gates/driver";
import { gatePlans } from "@proximus/shared/gates/plan";
import { GateProject } from "@proximus/shared/gates/project";
import { gateRequest, routesOf } from "@proximus/shared/gates/run";
import { scoreGate } from "@proximus/shared/gates/score";
import { templateById } from "@proximus/shared/templates";
import { realSandboxUnavailable, startTestService, TEST_SECRET, TEST_TOOLCHAIN_DIR } from "../../sandbox-host/src/testing/fixture";

const skip = await realSandboxUnavailable();
if (skip) throw new Error(skip);
const template = templateById("hono-d1-react");
if (!template) throw new Error("no hono-d1-react template");
const project = GateProject.parse(template.gates);

const svc = await startTestService({ poolSize: 1, maxQueue: 4, toolchainDir: TEST_TOOLCHAIN_DIR });
const client = new SandboxClient({ url: svc.url, secret: TEST_SECRET, maxAttempts: 1 });
const rows: { gate: string; passed: boolean; wallMs: number; sandboxMs: number; warm: boolean; steps: string; summary: string }[] = [];
try {
  for (const plan of gatePlans(project, routesOf(template.files, project))) {
    if (!(await svc.pool.waitReady(1, 60_000))) throw new Error("the warm pool did not refill");
    const t = performance.now();
    const result = await client.run(gateRequest(template.files, plan));
    const wallMs = performance.now() - t;
    const entry = scoreGate(plan.gate, result);
    const steps = (readDriverOutput(result.stdout)?.steps ?? []).map((s) => `${s.name} ${(s.durationMs / 1000).toFixed(1)} s`).join(", ");
    const { gate, passed, summary } = entry;
    rows.push({ gate, passed, wallMs, sandboxMs: result.durationMs, warm: result.warm, steps, summary });
  }
} finally {
  await svc.stop();
  await rm(svc.stateDir, { recursive: true, force: true });
}

const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const load = (await import("node:os"))
  .loadavg()
  .map((l) => l.toFixed(1))
  .join(" ");
console.log(`gates over templates/hono-d1-react, warm pool, gVisor (load average ${load})\n`);
console.log("| gate | passed | wall (HTTP) | in sandbox | warm | steps | result |\n|---|---|---|---|---|---|---|");
for (const r of rows) {
  console.log(`| ${r.gate} | ${r.passed ? "yes" : "NO"} | ${s(r.wallMs)} | ${s(r.sandboxMs)} | ${r.warm} | ${r.steps} | ${r.summary} |`);
}
const total = rows.reduce((n, r) => n + r.wallMs, 0);
console.log(`\ntotal ${s(total)} for ${rows.length} gates (goal ≤ 60 s)${rows.every((r) => r.passed) ? "" : " — SOME GATES FAILED"}`);
