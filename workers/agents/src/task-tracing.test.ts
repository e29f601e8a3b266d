import { describe, expect, it } from "vitest";
import type { Role } from "@proximus/contracts";
import { Tracer, type FinishedSpan, type SpanExporter } from "@proximus/shared/tracing/span";
import { parseTraceparent } from "@proximus/shared/tracing/traceparent";
import { memoryArtifactStore } from "./artifacts";
import type { CompletionResult, LlmProvider } from "./llm/types";
import { taskMessage } from "./offline/pipeline";
import { OFFLINE_MODEL, OfflineProvider } from "./offline/provider";
import { runTask, type AgentDeps, type SandboxRunner } from "./runtime";
import { startTaskSpan, withTracedSandbox } from "./task-tracing";

const TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
const DISPATCH_SPAN = "b7ad6b7169203331";
const TRACEPARENT = `00-${TRACE}-${DISPATCH_SPAN}-01`;

class Capture implements SpanExporter {
  readonly spans: FinishedSpan[] = [];
  async export(spans: FinishedSpan[]) {
    this.spans.push(...spans);
    return { ok: true };
  }
}

function scripted(replies: (string | Error)[]): LlmProvider {
  return {
    name: "openai",
    async complete(_req): Promise<CompletionResult> {
      const next = replies.shift();
      if (next === undefined || next instanceof Error) throw next ?? new Error("script exhausted");
      return { provider: "openai", model: "gpt-4o-mini-2024-07-18", text: next, inputTokens: 1000, outputTokens: 200 };
    },
  };
}

function deps(provider: LlmProvider, tracer: Tracer, over: Partial<AgentDeps> = {}): AgentDeps {
  let t = 1_000;
  return {
    resolveProvider: () => ({ provider, model: "gpt-4o-mini" }),
    artifacts: memoryArtifactStore("p/t/1/"),
    emit: () => undefined,
    sandbox: null,
    now: () => t++,
    tracer,
    ...over,
  };
}

const msg = (role: Role, extra = {}) =>
  taskMessage("a booking app for dog groomers", role, new Map(), [], { traceparent: TRACEPARENT, ...extra });
const validPrd = async () =>
  (
    await new OfflineProvider().complete({
      model: OFFLINE_MODEL,
      messages: [],
      task: { role: "ceo", idea: "a booking app for dog groomers", upstream: {} },
    })
  ).text;

describe("runTask spans", () => {
  it("records a task span under the dispatch span and one client span per LLM call", async () => {
    const capture = new Capture();
    const tracer = new Tracer({ exporter: capture });
    // The first reply is invalid, so the task makes a repair call: two LLM spans.
    const r = await runTask(msg("ceo"), deps(scripted(["not json", await validPrd()]), tracer));
    expect(r.status).toBe("succeeded");
    await tracer.flush();

    const task = capture.spans.find((s) => s.name === "task ceo")!;
    expect(task).toMatchObject({ traceId: TRACE, parentSpanId: DISPATCH_SPAN, kind: "consumer", status: { code: "ok" } });
    expect(task.attributes).toMatchObject({
      "proximus.role": "ceo",
      "proximus.task_id": "ceo",
      "proximus.attempt": 1,
      "proximus.status": "succeeded",
      "proximus.llm_calls": 2,
      "gen_ai.system": "openai",
      "gen_ai.response.model": "gpt-4o-mini-2024-07-18",
      "gen_ai.usage.input_tokens": 2000,
      "gen_ai.usage.output_tokens": 400,
    });
    expect(task.attributes["proximus.cost_usd"]).toBeGreaterThan(0);

    const llm = capture.spans.filter((s) => s.name === "llm");
    expect(llm).toHaveLength(2);
    for (const s of llm) {
      expect(s).toMatchObject({ traceId: TRACE, parentSpanId: task.spanId, kind: "client", status: { code: "ok" } });
      expect(s.attributes).toMatchObject({
        "langsmith.span.kind": "llm",
        "gen_ai.request.model": "gpt-4o-mini",
        "gen_ai.system": "openai",
        "gen_ai.usage.input_tokens": 1000,
        "gen_ai.usage.output_tokens": 200,
      });
    }
    expect(new Set(capture.spans.map((s) => s.spanId)).size).toBe(3);
  });

  it("marks the LLM span and the task span as errors when the provider fails", async () => {
    const capture = new Capture();
    const tracer = new Tracer({ exporter: capture });
    const r = await runTask(msg("ceo"), deps(scripted([new Error("vendor down")]), tracer));
    expect(r.status).toBe("failed");
    await tracer.flush();
    expect(capture.spans.find((s) => s.name === "llm")?.status).toEqual({ code: "error", message: "vendor down" });
    expect(capture.spans.find((s) => s.name === "task ceo")).toMatchObject({
      status: { code: "error" },
      attributes: { "proximus.status": "failed" },
    });
  });

  it("without a tracer runs exactly as before", async () => {
    const r = await runTask(msg("ceo"), { ...deps(scripted([await validPrd()]), new Tracer({ exporter: null })), tracer: undefined });
    expect(r.status).toBe("succeeded");
  });
});

describe("sandbox runs", () => {
  it("each run is a client span under the task span, and sandbox-host gets that span's traceparent", async () => {
    const capture = new Capture();
    const tracer = new Tracer({ exporter: capture });
    const sent: (string | undefined)[] = [];
    const inner: SandboxRunner = {
      async run(_req, opts) {
        sent.push(opts?.traceparent);
        return { exitCode: 1, stdout: "", stderr: "1 failing", timedOut: false, durationMs: 12, isolation: "gvisor" };
      },
    };
    const d = deps(scripted([]), tracer, { sandbox: inner });
    const task = startTaskSpan(tracer, msg("qa"))!;
    const traced = withTracedSandbox(d, task);
    const req = { files: [{ path: "a.test.js", content: "" }], command: ["node", "--test"], runtime: "node" as const, timeoutMs: 1_000 };
    await traced.sandbox!.run(req);
    await traced.sandbox!.run(req);
    task.end();
    await tracer.flush();

    const runs = capture.spans.filter((s) => s.name === "sandbox run");
    expect(runs).toHaveLength(2);
    expect(sent.map((tp) => parseTraceparent(tp)?.spanId)).toEqual(runs.map((s) => s.spanId));
    expect(runs.every((s) => s.traceId === TRACE && s.parentSpanId === task.context.spanId && s.kind === "client")).toBe(true);
    expect(runs[0]!.attributes).toMatchObject({
      "process.exit.code": 1,
      "proximus.sandbox.runtime": "node",
      "proximus.sandbox.isolation": "gvisor",
    });
    // The caller's deps are not changed; only the role's view of them is.
    expect(d.sandbox).toBe(inner);
  });
});
