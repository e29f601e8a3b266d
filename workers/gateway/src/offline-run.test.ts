import { env, exports } from "cloudflare:workers";
import { inject } from "vitest";
import { describe, expect, it } from "vitest";
import { unzipSync, strFromU8 } from "fflate";
import YAML from "yaml";
import { ServerFrame, type ProjectDetail, type ProjectEvent } from "@proximus/contracts";
import { SandboxClient } from "@proximus/agents/tools/sandbox-client";
import { ValidateClient } from "@proximus/agents/tools/validate-client";
import { api, BASE, createProject } from "../test/helpers";

/** Follows a project over its WebSocket until it finishes; returns every event received. */
async function watchUntilDone(projectId: string, timeoutMs: number): Promise<{ events: ProjectEvent[]; final: string }> {
  const res = await exports.default.fetch(
    new Request(`${BASE}/api/projects/${projectId}/ws?since=0`, { headers: { Upgrade: "websocket" } }),
  );
  expect(res.status).toBe(101);
  const ws = res.webSocket!;
  const events: ProjectEvent[] = [];
  const final = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`project not done after ${timeoutMs} ms; last events: ${JSON.stringify(events.slice(-5))}`)),
      timeoutMs,
    );
    ws.addEventListener("message", (m) => {
      const frame = ServerFrame.parse(JSON.parse(m.data as string));
      if (frame.type !== "event") return;
      events.push(frame.event);
      const state = frame.event.type === "project.state" ? frame.event.data.state : null;
      if (state === "succeeded" || state === "failed" || state === "cancelled") {
        clearTimeout(timer);
        resolve(String(state));
      }
    });
    ws.accept();
  });
  ws.close(1000);
  return { events, final };
}

describe("an offline project, end to end (inline executor, real sandbox)", () => {
  it("a booking app for dog groomers: DAG completes, zip tests pass in the sandbox, costs add up, DevOps files parse", async () => {
    const created = await createProject("a booking app for dog groomers");
    const { events, final } = await watchUntilDone(created.id, 240_000);
    const detail = await (await api(`/api/projects/${created.id}`)).json<ProjectDetail>();
    const failures = detail.tasks.filter((t) => t.state !== "succeeded").map((t) => `${t.id}: ${t.state} ${t.error ?? ""}`);
    expect(failures, failures.join("\n")).toEqual([]);
    expect(final).toBe("succeeded");

    // The log: every seq once, in order, and every task went running → succeeded.
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    for (const t of detail.tasks) {
      const states = events.flatMap((e) => (e.taskId === t.id && e.type === "task.state" ? [e.data.state] : []));
      expect(states, t.id).toContain("running");
      expect(states.at(-1), t.id).toBe("succeeded");
    }
    expect(events.some((e) => e.type === "task.token")).toBe(true);

    // QA really ran the generated tests in the sandbox.
    const qa = detail.tasks.find((t) => t.id === "qa")!.output as { passed: boolean; tests?: { passed: number; failed: number } };
    expect(qa.passed).toBe(true);

    // The zip: a real project whose own tests pass in the sandbox.
    const zipRes = await api(`/api/projects/${created.id}/download`);
    expect(zipRes.status).toBe(200);
    expect(zipRes.headers.get("content-type")).toBe("application/zip");
    const files = unzipSync(new Uint8Array(await zipRes.arrayBuffer()));
    const names = Object.keys(files);
    expect(names).toContain("package.json");
    const pkg = JSON.parse(strFromU8(files["package.json"]!)) as { scripts: { test: string } };
    const sandbox = new SandboxClient({ url: inject("sandboxUrl"), secret: inject("sandboxSecret") });
    const run = await sandbox.run({
      runtime: "node",
      command: ["sh", "-c", pkg.scripts.test],
      timeoutMs: 60_000,
      files: names.filter((n) => !n.endsWith("/")).map((path) => ({ path, content: strFromU8(files[path]!) })),
    });
    expect(run.exitCode, `${run.stdout}\n${run.stderr}`).toBe(0);
    expect(run.stdout).toMatch(/pass [1-9]/);

    // The workspace history: one version per task that changed files, and unified diffs between any two.
    const { versions, latest } = await (
      await api(`/api/projects/${created.id}/versions`)
    ).json<{ versions: { version: number; taskId: string; changed: { path: string; status: string }[] }[]; latest: number }>();
    expect(latest).toBe(versions.length);
    const be = versions.find((v) => v.taskId === "engineer_be")!;
    expect(be.changed.map((c) => c.path)).toContain("src/index.js");
    expect(be.changed.every((c) => c.status === "added")).toBe(true);
    const diff = await (
      await api(`/api/projects/${created.id}/diff?from=${be.version - 1}&to=${be.version}`)
    ).json<{ files: { path: string; status: string; patch: string }[] }>();
    expect(diff.files.map((f) => f.path).sort()).toEqual(be.changed.map((c) => c.path).sort());
    const index = diff.files.find((f) => f.path === "src/index.js")!;
    expect(index.patch).toMatch(/^--- \/dev\/null/m);
    expect(index.patch).toMatch(/^\+\+\+ b\/src\/index.js/m);
    expect(index.patch).toContain("+export default");
    // Nothing changed between a version and itself; a version that does not exist is named.
    expect((await (await api(`/api/projects/${created.id}/diff?from=${latest}&to=${latest}`)).json<{ files: unknown[] }>()).files).toEqual(
      [],
    );
    const bad = await api(`/api/projects/${created.id}/diff?to=${latest + 1}`);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { details: { field: string }[] } }).error.details[0]!.field).toBe("to");

    // DevOps files parse with real parsers.
    const tf = names.find((n) => n.endsWith("main.tf"));
    const k8s = names.filter((n) => /\.ya?ml$/.test(n) && n.includes("k8s"));
    expect(tf).toBeDefined();
    const hclClient = new ValidateClient({ url: inject("sandboxUrl"), secret: inject("sandboxSecret") });
    const [hcl] = await hclClient.validate([{ path: "main.tf", content: strFromU8(files[tf!]!) }]);
    expect(hcl, JSON.stringify(hcl?.errors)).toMatchObject({ ok: true, errors: [] });
    expect(k8s.length).toBeGreaterThan(0);
    for (const f of k8s) for (const doc of YAML.parseAllDocuments(strFromU8(files[f]!))) expect(doc.errors, f).toEqual([]);

    // Finance: the report's totals equal the usage ledger in D1 (everything before Finance's own call).
    const report = JSON.parse(strFromU8(files["reports/cost-report.json"]!)) as {
      totals: { calls: number; inputTokens: number; outputTokens: number; costUsd: number };
    };
    const ledger = await env.DB.prepare(
      "SELECT COUNT(*) AS calls, SUM(input_tokens) AS inputTokens, SUM(output_tokens) AS outputTokens, SUM(cost_usd) AS costUsd FROM usage_ledger WHERE project_id = ? AND task_id != 'finance'",
    )
      .bind(created.id)
      .first<{ calls: number; inputTokens: number; outputTokens: number; costUsd: number }>();
    expect(report.totals.calls).toBe(ledger!.calls);
    expect(report.totals.inputTokens).toBe(ledger!.inputTokens);
    expect(report.totals.outputTokens).toBe(ledger!.outputTokens);
    expect(report.totals.costUsd).toBeCloseTo(ledger!.costUsd, 9);
    expect(report.totals.calls).toBeGreaterThanOrEqual(6);
  }, 300_000);
});
