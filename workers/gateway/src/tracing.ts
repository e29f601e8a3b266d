import type { MiddlewareHandler } from "hono";
import { routePath } from "hono/route";
import { parseTraceparent, TRACEPARENT_HEADER, tracerFromEnv, type SpanContext, type Tracer } from "@proximus/shared/tracing";

declare module "hono" {
  interface ContextVariableMap {
    /** The gateway's server span for this request; routes hand it on (e.g. to ProjectDO.init). */
    trace: SpanContext;
  }
}

export const GATEWAY_SERVICE_NAME = "proximus-gateway";

/** Tracer per isolate and config: the exporter (and its batching) outlives a single request. */
let cached: { key: string; tracer: Tracer } | null = null;
export function gatewayTracer(env: Env): Tracer {
  const vars = env as unknown as Record<string, unknown>;
  const key = JSON.stringify([vars.OTEL_EXPORTER_OTLP_ENDPOINT, vars.OTEL_EXPORTER_OTLP_HEADERS, vars.OTEL_SERVICE_NAME]);
  if (cached?.key !== key) cached = { key, tracer: tracerFromEnv(vars, GATEWAY_SERVICE_NAME) };
  return cached.tracer;
}

/**
 * Continues the caller's W3C trace (or starts one), answers with the server span's `traceparent`,
 * and exports the span after the response is sent. Export never delays or fails the request.
 */
export function tracing(): MiddlewareHandler<{ Bindings: Env }> {
  return async (c, next) => {
    const tracer = gatewayTracer(c.env);
    const url = new URL(c.req.url);
    const span = tracer.startSpan(`${c.req.method} ${url.pathname}`, {
      parent: parseTraceparent(c.req.header(TRACEPARENT_HEADER)),
      kind: "server",
      attributes: { "http.request.method": c.req.method, "url.path": url.pathname, "url.scheme": url.protocol.replace(":", "") },
    });
    c.set("trace", span.context);
    try {
      await next();
    } finally {
      // After routing, the last matched route is the template ("/api/projects/:id"): low-cardinality names.
      const route = routePath(c, -1);
      if (route && route !== "*" && route !== "/*") span.setAttribute("http.route", route);
      const status = c.res.status;
      span.setAttribute("http.response.status_code", status);
      if (status >= 500) span.fail(`HTTP ${status}`);
      try {
        // A 101 from a Durable Object carries immutable headers; it simply goes without.
        if (status !== 101) c.res.headers.set(TRACEPARENT_HEADER, span.traceparent);
      } catch {
        // Immutable headers on a passed-through response: the trace id is still exported.
      }
      span.end();
      const exported = tracer.flush();
      try {
        c.executionCtx.waitUntil(exported);
      } catch {
        // No ExecutionContext (app.request in tests): finish the export before answering.
        await exported;
      }
    }
  };
}
