import { describe, expect, it } from "vitest";
import { Tracer, type FinishedSpan, type SpanExporter } from "./span";
import { parseTraceparent } from "./traceparent";
import { parseOtlpHeaders, tracerFromEnv, tracingConfigFromEnv } from "./config";

class Capture implements SpanExporter {
  readonly batches: FinishedSpan[][] = [];
  async export(spans: FinishedSpan[]) {
    this.batches.push(spans);
    return { ok: true };
  }
  get spans(): FinishedSpan[] {
    return this.batches.flat();
  }
}

const TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";

describe("Tracer", () => {
  it("continues a parent's trace and exposes the child's traceparent", async () => {
    const cap = new Capture();
    const tracer = new Tracer({ exporter: cap });
    const span = tracer.startSpan("work", { parent: `00-${TRACE}-00f067aa0ba902b7-01` });
    expect(parseTraceparent(span.traceparent)).toEqual({ traceId: TRACE, spanId: span.context.spanId, flags: 1 });
    span.end();
    span.end(); // ending twice records once
    span.setAttribute("late", "ignored");
    await tracer.flush();
    expect(cap.spans).toHaveLength(1);
    expect(cap.spans[0]).toMatchObject({
      traceId: TRACE,
      parentSpanId: "00f067aa0ba902b7",
      name: "work",
      kind: "internal",
      attributes: {},
    });
  });

  it("propagates but does not record spans of an unsampled trace", async () => {
    const cap = new Capture();
    const tracer = new Tracer({ exporter: cap });
    const span = tracer.startSpan("quiet", { parent: `00-${TRACE}-00f067aa0ba902b7-00` });
    expect(span.traceparent.endsWith("-00")).toBe(true);
    span.end();
    await tracer.flush();
    expect(cap.spans).toHaveLength(0);
  });

  it("without an exporter still makes ids, and queues nothing", () => {
    const tracer = new Tracer({ exporter: null });
    const span = tracer.startSpan("x");
    expect(parseTraceparent(span.traceparent)).not.toBeNull();
    span.end();
    expect(tracer.pending).toBe(0);
    expect(tracer.enabled).toBe(false);
  });

  it("drops the oldest spans beyond maxQueue and counts them", async () => {
    const cap = new Capture();
    const tracer = new Tracer({ exporter: cap, maxQueue: 3 });
    for (let i = 0; i < 5; i++) tracer.startSpan(`s${i}`).end();
    expect(tracer.dropped).toBe(2);
    await tracer.flush();
    expect(cap.spans.map((s) => s.name)).toEqual(["s2", "s3", "s4"]);
  });

  it("a throwing exporter never reaches the caller", async () => {
    const tracer = new Tracer({
      exporter: {
        export: () => Promise.reject(new Error("boom")),
      },
    });
    tracer.startSpan("x").end();
    await expect(tracer.flush()).resolves.toBeUndefined();
    expect(tracer.dropped).toBe(1);
  });

  it("end time is never before start time; non-finite numbers are skipped", async () => {
    const cap = new Capture();
    const tracer = new Tracer({ exporter: cap, now: () => 100 });
    tracer.startSpan("x", { startMs: 200 }).setAttribute("n", Number.NaN).end();
    await tracer.flush();
    expect(cap.spans[0]).toMatchObject({ startMs: 200, endMs: 200, attributes: {} });
  });
});

describe("config", () => {
  it("parses OTEL_EXPORTER_OTLP_HEADERS", () => {
    expect(parseOtlpHeaders("x-api-key=abc,Langsmith-Project=my%20proj , bad, =x,k=v=w")).toEqual({
      "x-api-key": "abc",
      "langsmith-project": "my proj",
      k: "v=w",
    });
    expect(parseOtlpHeaders(undefined)).toEqual({});
  });

  it("is off without an endpoint or with a non-http one", () => {
    expect(tracingConfigFromEnv({}, "svc")).toBeNull();
    expect(tracingConfigFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: "" }, "svc")).toBeNull();
    expect(tracingConfigFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: "ftp://x" }, "svc")).toBeNull();
    expect(tracingConfigFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: "not a url" }, "svc")).toBeNull();
    expect(tracingConfigFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 42 }, "svc")).toBeNull();
    expect(tracerFromEnv({}, "svc").enabled).toBe(false);
  });

  it("uses OTEL_SERVICE_NAME, else the default", () => {
    expect(tracingConfigFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: "https://c.example/otel" }, "svc")).toEqual({
      endpoint: "https://c.example/otel",
      headers: {},
      serviceName: "svc",
    });
    expect(tracingConfigFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: "https://c.example", OTEL_SERVICE_NAME: "mine" }, "svc")?.serviceName).toBe(
      "mine",
    );
  });
});

describe("pre-assigned span ids", () => {
  it("records a span under ids that were handed out earlier", async () => {
    const cap = new Capture();
    const tracer = new Tracer({ exporter: cap });
    const root = parseTraceparent(`00-${TRACE}-00f067aa0ba902b7-01`)!;
    const sent = { traceId: TRACE, spanId: "b7ad6b7169203331", flags: 1 };
    tracer.startSpan("dispatch", { parent: root, context: sent, kind: "producer" }).end();
    await tracer.flush();
    expect(cap.spans[0]).toMatchObject({ traceId: TRACE, spanId: "b7ad6b7169203331", parentSpanId: "00f067aa0ba902b7", kind: "producer" });
  });
});
