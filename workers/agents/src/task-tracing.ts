import type { ResultMessage, TaskMessage } from "@proximus/contracts";
import { tracerFromEnv, type Span, type Tracer } from "@proximus/shared/tracing";
import type { CompletionResult } from "./llm/types";
import type { AgentDeps, SandboxRunner } from "./runtime";

export const AGENTS_SERVICE_NAME = "proximus-agents";

/** Tracer per isolate and config, so spans of consecutive tasks share one exporter. */
let cached: { key: string; tracer: Tracer } | null = null;
export function agentsTracer(env: object): Tracer {
  const vars = env as Record<string, unknown>;
  const key = JSON.stringify([vars.OTEL_EXPORTER_OTLP_ENDPOINT, vars.OTEL_EXPORTER_OTLP_HEADERS, vars.OTEL_SERVICE_NAME]);
  if (cached?.key !== key) cached = { key, tracer: tracerFromEnv(vars, AGENTS_SERVICE_NAME) };
  return cached.tracer;
}

/** The attempt's span, a child of the dispatch span whose id the ProjectDO put in `msg.traceparent`. */
export function startTaskSpan(tracer: Tracer | undefined, msg: TaskMessage): Span | null {
  if (!tracer) return null;
  return tracer.startSpan(`task ${msg.role}`, {
    parent: msg.traceparent ?? null,
    kind: "consumer",
    attributes: {
      "langsmith.span.kind": "chain",
      "proximus.project_id": msg.projectId,
      "proximus.task_id": msg.taskId,
      "proximus.role": msg.role,
      "proximus.attempt": msg.attempt,
    },
  });
}

export function endTaskSpan(span: Span | null, result: ResultMessage): void {
  if (!span) return;
  const last = result.usage.at(-1);
  span.setAttributes({
    "proximus.status": result.status,
    "proximus.llm_calls": result.usage.length,
    "gen_ai.system": last?.provider,
    "gen_ai.response.model": last?.model,
    "gen_ai.usage.input_tokens": result.usage.reduce((n, u) => n + u.inputTokens, 0),
    "gen_ai.usage.output_tokens": result.usage.reduce((n, u) => n + u.outputTokens, 0),
    "proximus.cost_usd": result.usage.reduce((n, u) => n + u.costUsd, 0),
    "proximus.artifacts": result.artifacts.length,
  });
  if (result.status === "succeeded") span.ok();
  else span.fail(result.error ?? "failed");
  span.end();
}

/** One client span per model call, named and attributed the way LangSmith reads GenAI spans. */
export async function traceLlmCall(
  tracer: Tracer | undefined,
  parent: Span | null,
  requestedModel: string,
  call: () => Promise<CompletionResult>,
): Promise<CompletionResult> {
  if (!tracer || !parent) return call();
  const span = tracer.startSpan("llm", {
    parent: parent.context,
    kind: "client",
    attributes: { "langsmith.span.kind": "llm", "gen_ai.operation.name": "chat", "gen_ai.request.model": requestedModel },
  });
  try {
    const res = await call();
    span
      .setAttributes({
        "gen_ai.system": res.provider,
        "gen_ai.response.model": res.model,
        "gen_ai.usage.input_tokens": res.inputTokens,
        "gen_ai.usage.output_tokens": res.outputTokens,
      })
      .ok();
    return res;
  } catch (e) {
    span.fail(e instanceof Error ? e.message : String(e));
    throw e;
  } finally {
    span.end();
  }
}

/** Deps whose sandbox runs are client spans under the task span, each sending its own traceparent. */
export function withTracedSandbox(deps: AgentDeps, parent: Span | null): AgentDeps {
  const tracer = deps.tracer;
  const inner = deps.sandbox;
  if (!tracer || !parent || !inner) return deps;
  const sandbox: SandboxRunner = {
    async run(req) {
      const span = tracer.startSpan("sandbox run", {
        parent: parent.context,
        kind: "client",
        attributes: { "langsmith.span.kind": "tool", "proximus.sandbox.runtime": req.runtime, "proximus.sandbox.files": req.files.length },
      });
      try {
        const r = await inner.run(req, { traceparent: span.traceparent });
        span
          .setAttributes({
            "process.exit.code": r.exitCode,
            "proximus.sandbox.timed_out": r.timedOut,
            "proximus.sandbox.killed_reason": r.killedReason,
            "proximus.sandbox.isolation": r.isolation,
            "proximus.sandbox.duration_ms": r.durationMs,
          })
          .ok();
        return r;
      } catch (e) {
        span.fail(e instanceof Error ? e.message : String(e));
        throw e;
      } finally {
        span.end();
      }
    },
  };
  return { ...deps, sandbox };
}
