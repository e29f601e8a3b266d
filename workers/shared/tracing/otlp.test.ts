import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { OtlpHttpExporter, msToUnixNano, tracesUrl } from "./otlp";
import { Tracer } from "./span";
import { tracerFromEnv } from "./config";
import { TestCollector } from "./testing-collector";

const TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
const PARENT = `00-${TRACE}-00f067aa0ba902b7-01`;

/** The shape the OTLP/JSON spec gives ExportTraceServiceRequest; strict so extra or misnamed fields fail. */
const AnyValue = z.union([
  z.object({ stringValue: z.string() }).strict(),
  z.object({ boolValue: z.boolean() }).strict(),
  z.object({ intValue: z.string().regex(/^-?\d+$/) }).strict(),
  z.object({ doubleValue: z.number() }).strict(),
]);
const KeyValue = z.object({ key: z.string(), value: AnyValue }).strict();
const OtlpSpan = z
  .object({
    traceId: z.string().regex(/^[0-9a-f]{32}$/),
    spanId: z.string().regex(/^[0-9a-f]{16}$/),
    parentSpanId: z
      .string()
      .regex(/^[0-9a-f]{16}$/)
      .optional(),
    name: z.string(),
    kind: z.number().int().min(0).max(5),
    startTimeUnixNano: z.string().regex(/^\d+$/),
    endTimeUnixNano: z.string().regex(/^\d+$/),
    attributes: z.array(KeyValue),
    status: z.object({ code: z.number().int().min(0).max(2), message: z.string().optional() }).strict(),
  })
  .strict();
const ExportTraceServiceRequest = z
  .object({
    resourceSpans: z.array(
      z
        .object({
          resource: z.object({ attributes: z.array(KeyValue) }).strict(),
          scopeSpans: z.array(
            z.object({ scope: z.object({ name: z.string(), version: z.string().optional() }).strict(), spans: z.array(OtlpSpan) }).strict(),
          ),
        })
        .strict(),
    ),
  })
  .strict();

const attr = (attrs: { key: string; value: unknown }[], key: string) => attrs.find((a) => a.key === key)?.value;

let collector: TestCollector;
beforeEach(async () => {
  collector = await new TestCollector().start();
});
afterEach(async () => {
  await collector.stop();
});

describe("OTLP/HTTP JSON exporter", () => {
  it("posts resourceSpans/scopeSpans/spans to {endpoint}/v1/traces with the configured headers", async () => {
    let clock = 1_700_000_000_000;
    const tracer = tracerFromEnv(
      {
        OTEL_EXPORTER_OTLP_ENDPOINT: `${collector.url}/otel/`,
        OTEL_EXPORTER_OTLP_HEADERS: "x-api-key=ls-secret,Langsmith-Project=proximus%20dev",
        OTEL_SERVICE_NAME: "proximus-test",
      },
      "fallback-name",
    );
    const root = tracer.startSpan("POST /api/projects", {
      parent: PARENT,
      kind: "server",
      startMs: clock,
      attributes: { "http.request.method": "POST" },
    });
    const child = tracer.startSpan("llm openai/gpt", { parent: root.context, kind: "client", startMs: clock + 1.5 });
    child.setAttributes({
      "gen_ai.usage.input_tokens": 120,
      "gen_ai.request.temperature": 0.2,
      "proximus.cached": false,
      skipped: undefined,
    });
    child.fail("rate limited");
    child.end((clock += 10));
    root.ok().end((clock += 1));
    await tracer.flush();

    expect(collector.received).toHaveLength(1);
    const req = collector.received[0]!;
    expect(req.method).toBe("POST");
    expect(req.path).toBe("/otel/v1/traces");
    expect(req.headers["content-type"]).toBe("application/json");
    expect(req.headers["x-api-key"]).toBe("ls-secret");
    expect(req.headers["langsmith-project"]).toBe("proximus dev");

    const body = ExportTraceServiceRequest.parse(req.body);
    expect(body.resourceSpans).toHaveLength(1);
    const rs = body.resourceSpans[0]!;
    expect(attr(rs.resource.attributes, "service.name")).toEqual({ stringValue: "proximus-test" });
    const spans = rs.scopeSpans[0]!.spans;
    expect(spans.map((s) => s.name)).toEqual(["llm openai/gpt", "POST /api/projects"]);
    const [llm, server] = spans as [z.infer<typeof OtlpSpan>, z.infer<typeof OtlpSpan>];

    expect(server.traceId).toBe(TRACE);
    expect(server.parentSpanId).toBe("00f067aa0ba902b7");
    expect(server.kind).toBe(2);
    expect(server.status).toEqual({ code: 1 });
    expect(server.startTimeUnixNano).toBe("1700000000000000000");
    expect(server.endTimeUnixNano).toBe("1700000000011000000");

    expect(llm.traceId).toBe(TRACE);
    expect(llm.parentSpanId).toBe(server.spanId);
    expect(llm.kind).toBe(3);
    expect(llm.status).toEqual({ code: 2, message: "rate limited" });
    expect(llm.startTimeUnixNano).toBe("1700000000001500000");
    expect(attr(llm.attributes, "gen_ai.usage.input_tokens")).toEqual({ intValue: "120" });
    expect(attr(llm.attributes, "gen_ai.request.temperature")).toEqual({ doubleValue: 0.2 });
    expect(attr(llm.attributes, "proximus.cached")).toEqual({ boolValue: false });
    expect(llm.attributes.some((a) => a.key === "skipped")).toBe(false);
  });

  it("omits parentSpanId on a root span", async () => {
    const tracer = tracerFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: collector.url }, "svc");
    tracer.startSpan("root").end();
    await tracer.flush();
    const span = ExportTraceServiceRequest.parse(collector.received[0]!.body).resourceSpans[0]!.scopeSpans[0]!.spans[0]!;
    expect(span.parentSpanId).toBeUndefined();
    expect(
      attr(ExportTraceServiceRequest.parse(collector.received[0]!.body).resourceSpans[0]!.resource.attributes, "service.name"),
    ).toEqual({ stringValue: "svc" });
  });

  it("batches: one request per maxBatch spans, nothing left pending", async () => {
    const tracer = new Tracer({
      exporter: new OtlpHttpExporter({ endpoint: collector.url, resource: { "service.name": "t" } }),
      maxBatch: 4,
    });
    for (let i = 0; i < 10; i++) tracer.startSpan(`s${i}`).end();
    expect(tracer.pending).toBe(10);
    await tracer.flush();
    expect(tracer.pending).toBe(0);
    const sizes = collector.received.map((r) => ExportTraceServiceRequest.parse(r.body).resourceSpans[0]!.scopeSpans[0]!.spans.length);
    expect(sizes).toEqual([4, 4, 2]);
    // A flush with nothing queued sends nothing.
    await tracer.flush();
    expect(collector.received).toHaveLength(3);
  });

  it("retries a 503 once, then succeeds", async () => {
    collector.replies.push({ status: 503 });
    const warnings: string[] = [];
    const exporter = new OtlpHttpExporter({
      endpoint: collector.url,
      resource: { "service.name": "t" },
      sleep: async () => {},
      warn: (m) => warnings.push(m),
    });
    const tracer = new Tracer({ exporter });
    tracer.startSpan("x").end();
    await tracer.flush();
    expect(collector.received).toHaveLength(2);
    expect(tracer.dropped).toBe(0);
    expect(warnings).toEqual([]);
  });

  it("does not retry a 400, counts the batch as dropped and never throws", async () => {
    collector.replies.push({ status: 400, body: '{"code":3}' });
    const warnings: string[] = [];
    const tracer = new Tracer({
      exporter: new OtlpHttpExporter({
        endpoint: collector.url,
        headers: { "x-api-key": "do-not-log-me" },
        resource: {},
        sleep: async () => {},
        warn: (m) => warnings.push(m),
      }),
    });
    tracer.startSpan("a").end();
    tracer.startSpan("b").end();
    await expect(tracer.flush()).resolves.toBeUndefined();
    expect(collector.received).toHaveLength(1);
    expect(tracer.dropped).toBe(2);
    expect(warnings.join("\n")).toContain("HTTP 400");
    expect(warnings.join("\n")).not.toContain("do-not-log-me");
  });

  it("survives an unreachable collector", async () => {
    const url = collector.url;
    await collector.stop();
    const warnings: string[] = [];
    const tracer = new Tracer({
      exporter: new OtlpHttpExporter({
        endpoint: url,
        resource: {},
        sleep: async () => {},
        warn: (m) => warnings.push(m),
        timeoutMs: 2_000,
      }),
    });
    tracer.startSpan("lost").end();
    await expect(tracer.flush()).resolves.toBeUndefined();
    expect(tracer.dropped).toBe(1);
    expect(warnings).toHaveLength(1);
  });

  it("reports partialSuccess rejections as a warning", async () => {
    collector.replies.push({ status: 200, body: JSON.stringify({ partialSuccess: { rejectedSpans: "1", errorMessage: "span too old" } }) });
    const warnings: string[] = [];
    const exporter = new OtlpHttpExporter({ endpoint: collector.url, resource: {}, warn: (m) => warnings.push(m) });
    const tracer = new Tracer({ exporter });
    tracer.startSpan("old").end();
    await tracer.flush();
    expect(warnings).toEqual(["collector rejected 1 of 1 spans: span too old"]);
  });
});

describe("encoding helpers", () => {
  it("converts ms to exact nanosecond strings", () => {
    expect(msToUnixNano(0)).toBe("0");
    expect(msToUnixNano(1_700_000_000_123)).toBe("1700000000123000000");
    expect(msToUnixNano(1.25)).toBe("1250000");
  });

  it("appends /v1/traces to the base endpoint once", () => {
    expect(tracesUrl("https://api.smith.langchain.com/otel")).toBe("https://api.smith.langchain.com/otel/v1/traces");
    expect(tracesUrl("https://api.smith.langchain.com/otel/")).toBe("https://api.smith.langchain.com/otel/v1/traces");
    expect(tracesUrl("http://collector:4318/v1/traces")).toBe("http://collector:4318/v1/traces");
  });
});
