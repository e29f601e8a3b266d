import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { holdProject, ok, settle } from "../../workers/gateway/test/hold-dispatcher";
import { applyD1Sync } from "../../workers/gateway/src/d1-sync";
import { db } from "../../workers/gateway/src/db/client";
import type { HeldProject } from "../../workers/gateway/test/hold-dispatcher";
import type { TaskMessage } from "@proximus/contracts";

const states = async (p: HeldProject) => Object.fromEntries((await p.stub.detail()).tasks.map((t) => [t.id, t.state]));

const tick = settle;

async function succeedThrough(p: HeldProject, ids: string[], output: (id: string) => unknown = () => ({ ok: true })) {
  for (const id of ids) {
    await tick(p);
    await p.stub.applyResult(ok(p.hold.last(id), output(id)));
  }
}

describe("ProjectDO scheduling", () => {
  it("dispatches in DAG order and runs FE ∥ BE in parallel", async () => {
    const p = await holdProject("sched-order");
    await tick(p);
    expect(p.hold.sent.map((m) => m.taskId)).toEqual(["ceo"]);
    expect((await states(p)).ceo).toBe("running");
    await p.stub.applyResult(ok(p.hold.last("ceo"), { prd: "x" }));
    await tick(p);
    expect(p.hold.sent.map((m) => m.taskId)).toEqual(["ceo", "cto"]);
    // Upstream outputs travel with the task.
    expect(p.hold.last("cto").upstream).toEqual({ ceo: { prd: "x" } });
    await p.stub.applyResult(ok(p.hold.last("cto")));
    await tick(p);
    expect(
      p.hold.sent
        .slice(2)
        .map((m) => m.taskId)
        .sort(),
    ).toEqual(["engineer_be", "engineer_fe"]);
    await p.stub.applyResult(ok(p.hold.last("engineer_fe")));
    await tick(p);
    expect(p.hold.sent.map((m) => m.taskId)).not.toContain("qa");
    await p.stub.applyResult(ok(p.hold.last("engineer_be")));
    await succeedThrough(p, ["qa", "devops", "finance"], (id) => (id === "qa" ? { passed: true } : { ok: true }));
    const d = await p.stub.detail();
    expect(d.state).toBe("succeeded");
    expect(d.tasks.every((t) => t.state === "succeeded")).toBe(true);
    // Every transition is in the log with strictly increasing seq.
    const { events } = await p.stub.events(0, 1000);
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    expect(events.at(-1)).toMatchObject({ type: "project.state", data: { state: "succeeded" } });
  });

  it("applies a result at most once per (task, attempt)", async () => {
    const p = await holdProject("dedupe");
    await tick(p);
    const result = ok(
      p.hold.last("ceo"),
      { prd: 1 },
      { usage: [{ provider: "offline", model: "offline", inputTokens: 10, outputTokens: 20, costUsd: 0.5 }] },
    );
    expect(await p.stub.applyResult(result)).toEqual({ applied: true });
    await tick(p);
    const before = (await p.stub.events(0, 1000)).lastSeq;
    expect(await p.stub.applyResult(result)).toEqual({ applied: false });
    expect(await p.stub.applyResult({ ...result, output: { prd: 2 } })).toEqual({ applied: false });
    expect((await p.stub.events(0, 1000)).lastSeq).toBe(before);
    const d = await p.stub.detail();
    expect(d.spentUsd).toBe(0.5);
    expect(d.tasks[0]!.output).toEqual({ prd: 1 });
  });

  it("times out a silent attempt, retries with backoff, then succeeds", async () => {
    // Long enough that the second attempt's answer arrives in time on a loaded 2-core machine.
    const p = await holdProject("timeout", { taskTimeoutMs: 400 });
    await tick(p);
    const first = p.hold.last("ceo");
    await new Promise((r) => setTimeout(r, 450));
    await tick(p);
    let ceo = (await p.stub.detail()).tasks[0]!;
    expect(ceo.state).toBe("ready");
    expect(ceo.error).toMatch(/timed out/);
    // Backoff: the retry is not dispatched before its not_before.
    await runInDurableObject(p.raw, (_obj, state) => {
      state.storage.sql.exec("UPDATE tasks SET not_before = 0 WHERE id = 'ceo'");
    });
    await tick(p);
    const second = p.hold.last("ceo");
    expect(second.attempt).toBe(2);
    expect(second.idempotencyKey).not.toBe(first.idempotencyKey);
    // The late answer of attempt 1 is ignored; attempt 2's answer wins.
    expect(await p.stub.applyResult(ok(first, { late: true }))).toEqual({ applied: false });
    expect(await p.stub.applyResult(ok(second, { fresh: true }))).toEqual({ applied: true });
    ceo = (await p.stub.detail()).tasks[0]!;
    expect(ceo).toMatchObject({ state: "succeeded", attempt: 2, output: { fresh: true } });
  });

  it("a permanent failure fails the task, blocks downstream, fails the project; retry revives them", async () => {
    const p = await holdProject("permanent");
    await tick(p);
    await p.stub.applyResult({ ...ok(p.hold.last("ceo")), status: "failed", error: "schema invalid", permanent: true });
    const d = await p.stub.detail();
    expect(d.state).toBe("failed");
    expect(d.tasks[0]).toMatchObject({ state: "failed", error: "schema invalid" });
    expect(d.tasks.slice(1).every((t) => t.state === "cancelled" && t.error?.startsWith("blocked by"))).toBe(true);

    const retried = await p.stub.retryTask("ceo");
    expect(retried.state).toBe("running");
    expect(retried.tasks[0]!.state).toBe("ready");
    expect(retried.tasks.slice(1).every((t) => t.state === "pending")).toBe(true);
    await tick(p);
    expect(p.hold.last("ceo").attempt).toBe(2);
    await expect(p.stub.retryTask("cto")).rejects.toThrow(/only failed tasks/);
  });

  it("a backend-only failure re-runs only the backend Engineer", async () => {
    const p = await holdProject("qa-backend-only");
    await succeedThrough(p, ["ceo", "cto"]);
    await tick(p);
    const file = (path: string, task: string) => ({
      path,
      key: `projects/qa-backend-only/${task}/1/${path}`,
      bytes: 1,
      sha256: "c".repeat(64),
    });
    await p.stub.applyResult(ok(p.hold.last("engineer_fe"), {}, { artifacts: [file("public/app.js", "engineer_fe")] }));
    await p.stub.applyResult(
      ok(p.hold.last("engineer_be"), {}, { artifacts: [file("src/index.js", "engineer_be"), file("test/api.test.mjs", "engineer_be")] }),
    );
    await tick(p);
    await p.stub.applyResult(
      ok(p.hold.last("qa"), { passed: false, summary: "1 failing", failures: [], implicatedPaths: ["test/api.test.mjs"] }),
    );
    const d = await p.stub.detail();
    expect(d.tasks.map((t) => t.id)).toContain("engineer_be_fix1");
    expect(d.tasks.map((t) => t.id)).not.toContain("engineer_fe_fix1");
    expect(d.tasks.find((t) => t.id === "qa_2")!.deps).toEqual(["engineer_be_fix1"]);
    await tick(p);
    expect(p.hold.sent.filter((m) => m.taskId.endsWith("_fix1")).map((m) => m.taskId)).toEqual(["engineer_be_fix1"]);
  });

  it("QA failures go back to the Engineers in bounded rounds", async () => {
    const p = await holdProject("qa-rounds");
    await succeedThrough(p, ["ceo", "cto"]);
    await tick(p);
    await p.stub.applyResult(ok(p.hold.last("engineer_fe")));
    await p.stub.applyResult(ok(p.hold.last("engineer_be")));
    const failing = { passed: false, summary: "2 failing", failures: [{ test: "creates a booking", message: "500" }] };
    await tick(p);
    await p.stub.applyResult(ok(p.hold.last("qa"), failing));
    let d = await p.stub.detail();
    expect(d.tasks.map((t) => t.id)).toEqual(expect.arrayContaining(["engineer_fe_fix1", "engineer_be_fix1", "qa_2"]));
    expect(d.tasks.find((t) => t.id === "devops")!.deps).toEqual(["qa_2"]);
    await tick(p);
    // The fix tasks carry QA's failures as feedback.
    expect(p.hold.last("engineer_be_fix1").feedback).toContain("creates a booking");
    await p.stub.applyResult(ok(p.hold.last("engineer_fe_fix1")));
    await p.stub.applyResult(ok(p.hold.last("engineer_be_fix1")));
    await tick(p);
    await p.stub.applyResult(ok(p.hold.last("qa_2"), failing));
    await tick(p);
    await p.stub.applyResult(ok(p.hold.last("engineer_fe_fix2")));
    await p.stub.applyResult(ok(p.hold.last("engineer_be_fix2")));
    await tick(p);
    await p.stub.applyResult(ok(p.hold.last("qa_3"), failing));
    d = await p.stub.detail();
    // After MAX_FIX_ROUNDS the failure is final and nothing downstream runs.
    expect(d.tasks.find((t) => t.id === "qa_3")).toMatchObject({ state: "failed" });
    expect(d.tasks.find((t) => t.id === "qa_3")!.error).toMatch(/still failing after 2 fix rounds/);
    expect(d.tasks.find((t) => t.id === "devops")!.state).toBe("cancelled");
    expect(d.state).toBe("failed");
  });

  it("pauses at the budget cap and resumes when the user raises it", async () => {
    const p = await holdProject("budget", {}, { budgetUsd: 0.0005, llm: { ceo: { provider: "openai", model: "gpt-4o-mini" } } });
    await tick(p);
    let d = await p.stub.detail();
    expect(d.state).toBe("paused");
    expect(p.hold.sent).toHaveLength(0);
    await expect(p.stub.raiseBudget(-1)).rejects.toThrow();
    // Paused, nothing in flight, nothing to deliver: the alarm must not keep spinning.
    const alarm = await runInDurableObject(p.raw, (_o, state) => state.storage.getAlarm());
    expect(alarm).toBeNull();
    d = await p.stub.raiseBudget(1);
    expect(d.state).toBe("running");
    await tick(p);
    expect(p.hold.last("ceo").budgetRemainingUsd).toBe(1);
  });

  it("says why it paused in the detail, and refuses budget changes once the project is finished", async () => {
    const p = await holdProject("budget-finished", {}, { budgetUsd: 0.0005, llm: { ceo: { provider: "openai", model: "gpt-4o-mini" } } });
    await tick(p);
    let d = await p.stub.detail();
    expect(d.state).toBe("paused");
    expect(d.pausedReason).toMatch(/^budget: .* estimated for ceo exceeds 0.0005/);
    d = await p.stub.raiseBudget(1);
    expect([d.state, d.pausedReason, d.budgetUsd]).toEqual(["running", null, 1]);
    await p.stub.cancel();
    await expect(p.stub.raiseBudget(2)).rejects.toMatchObject({ code: "conflict", message: expect.stringMatching(/cancelled/) });
    expect((await p.stub.detail()).budgetUsd).toBe(1);
  });

  it("a task whose sandbox host is down waits without using up attempts, then fails once the wait is too long", async () => {
    const p = await holdProject("infra-wait", { infraWaitMs: 60_000 });
    await tick(p);
    const down = (msg: TaskMessage) => ({
      ...ok(msg),
      status: "failed" as const,
      error: "sandbox run failed: fetch failed",
      waitFor: "sandbox host unreachable (fetch failed)",
    });
    for (let attempt = 1; attempt <= 4; attempt++) {
      expect(p.hold.last("ceo").attempt).toBe(attempt);
      await p.stub.applyResult(down(p.hold.last("ceo")));
      const ceo = (await p.stub.detail()).tasks[0]!;
      // More waits than TASK_MAX_ATTEMPTS (3): none of them counts as a failed attempt.
      expect(ceo).toMatchObject({
        state: "ready",
        error: null,
        maxAttempts: 3 + attempt,
        waitingFor: expect.stringMatching(/^sandbox host unreachable .* trying again in 2 s/),
      });
      await runInDurableObject(p.raw, (_o, state) => {
        state.storage.sql.exec("UPDATE tasks SET not_before = 0 WHERE id = 'ceo'");
      });
      await tick(p);
    }
    // The host is back: the attempt succeeds and the wait is over.
    await p.stub.applyResult(ok(p.hold.last("ceo")));
    expect((await p.stub.detail()).tasks[0]).toMatchObject({ state: "succeeded", waitingFor: null, attempt: 5 });

    // A second outage that outlasts infraWaitMs fails the task with the reason.
    await tick(p);
    await p.stub.applyResult(down(p.hold.last("cto")));
    await runInDurableObject(p.raw, (_o, state) => {
      state.storage.sql.exec("UPDATE tasks SET not_before = 0, waiting_since = ? WHERE id = 'cto'", Date.now() - 61_000);
    });
    await tick(p);
    await p.stub.applyResult(down(p.hold.last("cto")));
    expect((await p.stub.detail()).tasks[1]).toMatchObject({
      state: "failed",
      waitingFor: null,
      error: expect.stringMatching(/still unavailable after waiting 60 s/),
    });
  });

  it("queued and started events say why an attempt waits and when its agent began; a result without them still has its start", async () => {
    const p = await holdProject("lifecycle");
    await tick(p);
    const ceo = p.hold.last("ceo");
    let t = (await p.stub.detail()).tasks[0]!;
    expect([t.state, t.startedAt, t.dispatchedAt]).toEqual(["running", null, ceo.dispatchedAt]);
    const event = (kind: "queued" | "started", text: string, ts: number) => ({
      v: 1 as const,
      projectId: ceo.projectId,
      taskId: "ceo",
      attempt: ceo.attempt,
      kind,
      text,
      ts,
    });
    await p.stub.applyAgentEvent(
      event("queued", "queued: 16 running, at this user's limit of 16 tasks at once (MAX_TASKS_PER_USER)", Date.now()),
    );
    t = (await p.stub.detail()).tasks[0]!;
    expect([t.state, t.startedAt, t.waitingFor]).toEqual(["running", null, expect.stringMatching(/MAX_TASKS_PER_USER/)]);
    const startedAt = Date.now();
    await p.stub.applyAgentEvent(event("started", "agent started", startedAt));
    t = (await p.stub.detail()).tasks[0]!;
    expect([t.startedAt, t.waitingFor]).toEqual([startedAt, null]);
    await p.stub.applyResult(ok(ceo, {}, { startedAt: startedAt + 5, stopReason: "finished" }));
    expect((await p.stub.detail()).tasks[0]).toMatchObject({ state: "succeeded", startedAt, stopReason: "finished" });

    // The next task's result overtakes its "started" event (another topic): the result's start stands in.
    await tick(p);
    const cto = p.hold.last("cto");
    await p.stub.applyResult(ok(cto, {}, { startedAt: 1234 }));
    expect((await p.stub.detail()).tasks[1]).toMatchObject({ state: "succeeded", startedAt: 1234, stopReason: "finished" });
    // …and the late event changes nothing.
    await p.stub.applyAgentEvent({ ...event("started", "agent started", 9999), taskId: "cto", attempt: cto.attempt });
    expect((await p.stub.detail()).tasks[1]!.startedAt).toBe(1234);
  });

  it("keeps undelivered tasks in the outbox and retries delivery", async () => {
    const p = await holdProject("outbox-retry", { taskTimeoutMs: 50 });
    p.hold.failNext = 1;
    await tick(p);
    expect(p.hold.sent).toHaveLength(0);
    // The bus being down is not the agent's timeout: the clock starts at the hand-off.
    await new Promise((r) => setTimeout(r, 80));
    await tick(p);
    expect((await p.stub.detail()).tasks[0]).toMatchObject({ state: "running", attempt: 1 });
    const pending = await runInDurableObject(
      p.raw,
      (_o, state) => state.storage.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM outbox WHERE kind = 'task' AND attempts = 1").one().n,
    );
    expect(pending).toBe(1);
    await runInDurableObject(p.raw, (_o, state) => {
      state.storage.sql.exec("UPDATE outbox SET next_at = 0");
    });
    await tick(p);
    expect(p.hold.sent.map((m) => m.taskId)).toEqual(["ceo"]);
    expect(p.hold.sent[0]!.attempt).toBe(1);
  });

  it("cancel drops undispatched tasks; a late result is ignored but its usage is still recorded", async () => {
    const p = await holdProject("cancel-late");
    await tick(p);
    const ceo = p.hold.last("ceo");
    await p.stub.cancel();
    const r = await p.stub.applyResult(
      ok(ceo, {}, { usage: [{ provider: "offline", model: "offline", inputTokens: 1, outputTokens: 1, costUsd: 0.25 }] }),
    );
    expect(r.applied).toBe(false);
    const d = await p.stub.detail();
    expect(d.state).toBe("cancelled");
    expect(d.tasks[0]!.state).toBe("cancelled");
    expect(d.spentUsd).toBe(0.25);
    await tick(p);
    expect(p.hold.sent).toHaveLength(1);
  });

  it("keeps D1's task index and usage ledger in step, once", async () => {
    const id = "d1-sync";
    await env.DB.prepare("INSERT OR IGNORE INTO users (id, email, name, created_at) VALUES ('local', 'l@x', 'L', 0)").run();
    await env.DB.prepare(
      "INSERT INTO projects (id, owner_id, idea, state, created_at, updated_at) VALUES (?, 'local', 'i', 'running', 0, 0)",
    )
      .bind(id)
      .run();
    const p = await holdProject(id);
    await tick(p);
    const res = ok(
      p.hold.last("ceo"),
      {},
      { usage: [{ provider: "bedrock", model: "amazon.nova-lite-v1:0", inputTokens: 100, outputTokens: 50, costUsd: 0.001 }] },
    );
    await p.stub.applyResult(res);
    await tick(p);
    await p.stub.applyResult(res);
    await tick(p);
    const tasks = await env.DB.prepare("SELECT task_id, state FROM tasks WHERE project_id = ? ORDER BY task_id").bind(id).all();
    expect(tasks.results).toContainEqual({ task_id: "ceo", state: "succeeded" });
    expect(tasks.results).toContainEqual({ task_id: "cto", state: "running" });
    const ledger = await env.DB.prepare("SELECT task_id, input_tokens, cost_usd FROM usage_ledger WHERE project_id = ?").bind(id).all();
    expect(ledger.results).toEqual([{ task_id: "ceo", input_tokens: 100, cost_usd: 0.001 }]);
    const proj = await env.DB.prepare("SELECT spent_usd FROM projects WHERE id = ?").bind(id).first<{ spent_usd: number }>();
    expect(proj?.spent_usd).toBe(0.001);
  });

  it("feeds QA's verdict on the Engineers' models into the router's learned success rates", async () => {
    const id = "router-learning";
    await env.DB.prepare("INSERT OR IGNORE INTO users (id, email, name, created_at) VALUES ('local', 'l@x', 'L', 0)").run();
    await env.DB.prepare(
      "INSERT INTO projects (id, owner_id, idea, state, created_at, updated_at) VALUES (?, 'local', 'i', 'running', 0, 0)",
    )
      .bind(id)
      .run();
    const p = await holdProject(id);
    await succeedThrough(p, ["ceo", "cto"]);
    await tick(p);
    const used = (model: string) => ({
      usage: [{ provider: "bedrock" as const, model, inputTokens: 10, outputTokens: 10, costUsd: 0.0001 }],
    });
    await p.stub.applyResult(ok(p.hold.last("engineer_fe"), {}, used("amazon.nova-lite-v1:0")));
    await p.stub.applyResult(ok(p.hold.last("engineer_be"), {}, used("amazon.nova-pro-v1:0")));
    await tick(p);
    await p.stub.applyResult(ok(p.hold.last("qa"), { passed: false, summary: "1 failing", failures: [] }));
    await tick(p);
    // settle() waits for task hand-offs only; the D1 mirror is delivered by the same alarm, maybe a moment later.
    const statsRows = async () =>
      (await env.DB.prepare("SELECT role, model, successes, failures FROM router_stats ORDER BY role").all()).results;
    await vi.waitUntil(async () => (await statsRows()).length >= 2, { timeout: 5_000, interval: 50 });
    const rows = { results: await statsRows() };
    expect(rows.results).toEqual([
      { role: "engineer_be", model: "amazon.nova-pro-v1:0", successes: 0, failures: 1 },
      { role: "engineer_fe", model: "amazon.nova-lite-v1:0", successes: 0, failures: 1 },
    ]);
    // The outbox is at-least-once: delivering the same verdict again does not count it twice.
    const entry = {
      kind: "router-outcome" as const,
      id: `${id}:qa:engineer_be|bedrock|amazon.nova-pro-v1:0`,
      role: "engineer_be" as const,
      provider: "bedrock",
      model: "amazon.nova-pro-v1:0",
      success: false,
    };
    await applyD1Sync(db(env.DB), env.DB, env.ARTIFACTS, entry);
    const again = await env.DB.prepare("SELECT failures FROM router_stats WHERE role = 'engineer_be'").first<{ failures: number }>();
    expect(again?.failures).toBe(1);
  });

  it("a late result's files are removed from R2, never those of the attempt now in flight", async () => {
    const id = "late-files";
    const p = await holdProject(id, { taskTimeoutMs: 50 });
    await tick(p);
    const first = p.hold.last("ceo");
    await new Promise((r) => setTimeout(r, 80));
    await tick(p);
    await runInDurableObject(p.raw, (_o, state) => {
      state.storage.sql.exec("UPDATE tasks SET not_before = 0 WHERE id = 'ceo'");
    });
    await tick(p);
    const second = p.hold.last("ceo");
    expect(second.attempt).toBe(2);
    const lateKey = `projects/${id}/ceo/1/run-a/docs/PRD.md`;
    const inFlightKey = `projects/${id}/ceo/2/run-b/docs/PRD.md`;
    await env.ARTIFACTS.put(lateKey, "late");
    await env.ARTIFACTS.put(inFlightKey, "in flight");
    const late = await p.stub.applyResult(
      ok(first, {}, { artifacts: [{ path: "docs/PRD.md", key: lateKey, bytes: 4, sha256: "c".repeat(64) }] }),
    );
    expect(late.applied).toBe(false);
    await tick(p);
    await expect.poll(async () => (await env.ARTIFACTS.head(lateKey)) === null, { timeout: 10_000 }).toBe(true);
    expect(await env.ARTIFACTS.head(inFlightKey)).not.toBeNull();
  });

  it("holds a gated task's dependants until a person approves its output", async () => {
    const p = await holdProject("approval-gate", {}, { approvals: ["cto"] });
    expect((await p.stub.detail()).tasks.find((t) => t.id === "cto")!.approval).toBe("required");
    await succeedThrough(p, ["ceo", "cto"]);
    await tick(p);
    let d = await p.stub.detail();
    expect(d.tasks.find((t) => t.id === "cto")).toMatchObject({ state: "succeeded", approval: "pending" });
    expect(p.hold.sent.map((m) => m.taskId)).not.toContain("engineer_fe");
    expect(d.tasks.find((t) => t.id === "engineer_fe")!.state).toBe("pending");
    await expect(p.stub.approveTask("ceo")).rejects.toThrow(/not waiting for approval/);
    d = await p.stub.approveTask("cto");
    expect(d.tasks.find((t) => t.id === "cto")!.approval).toBe("approved");
    await tick(p);
    expect(p.hold.sent.map((m) => m.taskId).sort()).toEqual(["ceo", "cto", "engineer_be", "engineer_fe"]);
    const { events } = await p.stub.events(0, 1000);
    expect(events.filter((e) => e.type === "task.approval").map((e) => e.data.approval)).toEqual(["pending", "approved"]);
  });

  it("an intervention redoes a task with the person's instructions and re-runs everything after it", async () => {
    const p = await holdProject("intervene");
    await succeedThrough(p, ["ceo", "cto"], (id) => ({ v: id }));
    await tick(p);
    await p.stub.applyResult(ok(p.hold.last("engineer_fe")));
    await expect(p.stub.interveneTask("engineer_be", "use Hono")).rejects.toThrow(/only a finished task/);
    const d = await p.stub.interveneTask("cto", "use PostgreSQL instead of D1");
    const state = Object.fromEntries(d.tasks.map((t) => [t.id, t.state]));
    expect(state).toMatchObject({ ceo: "succeeded", cto: "ready", engineer_fe: "pending", engineer_be: "pending", qa: "pending" });
    await tick(p);
    const redo = p.hold.last("cto");
    expect(redo.attempt).toBe(2);
    expect(redo.feedback).toBe("use PostgreSQL instead of D1");
    // The engineer still running from before answers for a state it no longer has: ignored.
    const stale = p.hold.last("engineer_be");
    expect(await p.stub.applyResult(ok(stale))).toEqual({ applied: false });
    await p.stub.applyResult(ok(redo, { v: "cto-2" }));
    await tick(p);
    expect(p.hold.last("engineer_fe").attempt).toBe(2);
    expect(p.hold.last("engineer_fe").upstream.cto).toEqual({ v: "cto-2" });
  });
});
