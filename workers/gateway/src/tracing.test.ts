import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { ProjectDetail } from "@proximus/contracts";
import { Tracer, type FinishedSpan, type SpanExporter } from "@proximus/shared/tracing/span";
import { parseTraceparent } from "@proximus/shared/tracing/traceparent";
import { createApp } from "./app";
import { LOCAL_USER } from "./auth/local";
import { db } from "./db/client";
import { ensureUser } from "./db/users";
import { BASE } from "../test/helpers";
import { holdProject, ok, settle } from "../test/hold-dispatcher";

const TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
const CALLER_SPAN = "00f067aa0ba902b7";
const INCOMING = `00-${TRACE}-${CALLER_SPAN}-01`;

/** The gateway app as deployed: app.ts installs the tracing middleware first. */
const request = (path: string, init: RequestInit = {}) => createApp().request(BASE + path, init, env);

class Capture implements SpanExporter {
  readonly spans: FinishedSpan[] = [];
  async export(spans: FinishedSpan[]) {
    this.spans.push(...spans);
    return { ok: true };
  }
}

describe("tracing middleware", () => {
  it("continues the caller's trace: same trace id, a new span id, on the response", async () => {
    const res = await request("/api/projects", { headers: { traceparent: INCOMING } });
    expect(res.status).toBe(200);
    const answered = parseTraceparent(res.headers.get("traceparent"));
    expect(answered?.traceId).toBe(TRACE);
    expect(answered?.spanId).not.toBe(CALLER_SPAN);
  });

  it("starts a new trace when the header is missing or invalid (errors included)", async () => {
    const none = parseTraceparent((await request("/api/projects")).headers.get("traceparent"));
    const bad = await request("/api/nothing-here", { headers: { traceparent: `00-${"0".repeat(32)}-${CALLER_SPAN}-01` } });
    expect(bad.status).toBe(404);
    const fresh = parseTraceparent(bad.headers.get("traceparent"));
    expect(none).not.toBeNull();
    expect(fresh).not.toBeNull();
    expect(fresh!.traceId).not.toBe("0".repeat(32));
    expect(fresh!.traceId).not.toBe(none!.traceId);
  });

  it("POST /api/projects hands its server span to the ProjectDO as the project's root", async () => {
    const res = await request("/api/projects", {
      method: "POST",
      headers: { "content-type": "application/json", traceparent: INCOMING },
      body: JSON.stringify({ idea: "a traced booking app" }),
    });
    expect(res.status).toBe(201);
    const server = parseTraceparent(res.headers.get("traceparent"))!;
    const { id } = await res.json<ProjectDetail>();
    const root = await runInDurableObject(
      env.PROJECT.getByName(id),
      (_o, state) =>
        JSON.parse(state.storage.sql.exec<{ v: string }>("SELECT v FROM meta WHERE k = 'project'").one().v) as { traceparent?: string },
    );
    expect(parseTraceparent(root.traceparent)).toEqual({ traceId: TRACE, spanId: server.spanId, flags: 1 });
  });
});

describe("per-task trace context", () => {
  it("every dispatched attempt is a child of the project's trace, and the API shows its trace id", async () => {
    const id = crypto.randomUUID();
    const now = Date.now();
    await ensureUser(db(env.DB), LOCAL_USER);
    await env.DB.prepare(
      "INSERT INTO projects (id, owner_id, idea, state, spent_usd, created_at, updated_at) VALUES (?, 'local', 'traced', 'running', 0, ?, ?)",
    )
      .bind(id, now, now)
      .run();
    const capture = new Capture();
    const p = await holdProject(id, { tracer: new Tracer({ exporter: capture }) }, { traceparent: INCOMING });

    await settle(p);
    const ceo1 = p.hold.last("ceo");
    // First attempt fails (retryable); the retry must get its own span id in the same trace.
    await p.stub.applyResult({ ...ok(ceo1), status: "failed", error: "flaky" });
    await runInDurableObject(p.raw, (_o, state) => {
      state.storage.sql.exec("UPDATE tasks SET not_before = 0 WHERE id = 'ceo'");
    });
    await settle(p);
    const ceo2 = p.hold.last("ceo");
    expect(ceo2.attempt).toBe(2);
    await p.stub.applyResult(ok(ceo2));
    await settle(p);
    const cto = p.hold.last("cto");

    const contexts = [ceo1, ceo2, cto].map((m) => parseTraceparent(m.traceparent));
    expect(contexts.every((c) => c?.traceId === TRACE)).toBe(true);
    const spanIds = contexts.map((c) => c!.spanId);
    expect(new Set([...spanIds, CALLER_SPAN]).size).toBe(4);

    // The DO recorded each hand-off under exactly the span id it sent, as a child of the root.
    // Spans are exported when an alarm ends (waitUntil), which may be a moment after the hand-off a test sees.
    const dispatchedIds = () =>
      capture.spans
        .filter((s) => s.name.startsWith("dispatch "))
        .map((s) => s.spanId)
        .sort();
    await expect.poll(dispatchedIds, { timeout: 5_000, interval: 50 }).toEqual([...spanIds].sort());
    const dispatched = capture.spans.filter((s) => s.name.startsWith("dispatch "));
    expect(dispatched.every((s) => s.traceId === TRACE && s.parentSpanId === CALLER_SPAN && s.kind === "producer")).toBe(true);

    const res = await request(`/api/projects/${id}`);
    const detail = await res.json<ProjectDetail>();
    const traceIds = Object.fromEntries(detail.tasks.map((t) => [t.id, t.traceId]));
    expect(traceIds).toMatchObject({ ceo: TRACE, cto: TRACE, engineer_fe: null, qa: null });
  });
});
