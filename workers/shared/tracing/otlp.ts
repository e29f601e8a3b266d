import type { AttributeValue, Attributes, ExportResult, FinishedSpan, SpanExporter, SpanKind } from "./span";

/**
 * OTLP/HTTP with the JSON encoding of ExportTraceServiceRequest
 * (https://opentelemetry.io/docs/specs/otlp/#json-protobuf-encoding): ids as lowercase hex,
 * enums as integers, 64-bit integers as decimal strings.
 */

type OtlpAnyValue = { stringValue: string } | { boolValue: boolean } | { intValue: string } | { doubleValue: number };
export interface OtlpKeyValue {
  key: string;
  value: OtlpAnyValue;
}
export interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes: OtlpKeyValue[];
  status: { code: number; message?: string };
}
export interface OtlpTraceRequest {
  resourceSpans: {
    resource: { attributes: OtlpKeyValue[] };
    scopeSpans: { scope: { name: string; version?: string }; spans: OtlpSpan[] }[];
  }[];
}

/** SpanKind in opentelemetry/proto/trace/v1/trace.proto. */
export const OTLP_SPAN_KIND: Record<SpanKind, number> = { internal: 1, server: 2, client: 3, producer: 4, consumer: 5 };
/** Status.StatusCode in the same proto. */
export const OTLP_STATUS_CODE = { unset: 0, ok: 1, error: 2 } as const;

export const SCOPE_NAME = "proximus";

function anyValue(v: AttributeValue): OtlpAnyValue {
  if (typeof v === "string") return { stringValue: v };
  if (typeof v === "boolean") return { boolValue: v };
  return Number.isInteger(v) ? { intValue: String(v) } : { doubleValue: v };
}

export function encodeAttributes(attrs: Attributes): OtlpKeyValue[] {
  return Object.entries(attrs).map(([key, v]) => ({ key, value: anyValue(v) }));
}

/** Epoch ms (possibly fractional) → nanoseconds as a decimal string, exactly. */
export function msToUnixNano(ms: number): string {
  const whole = Math.floor(ms);
  const fractionNs = Math.round((ms - whole) * 1e6);
  return (BigInt(whole) * 1_000_000n + BigInt(fractionNs)).toString();
}

export function encodeSpan(s: FinishedSpan): OtlpSpan {
  return {
    traceId: s.traceId,
    spanId: s.spanId,
    ...(s.parentSpanId ? { parentSpanId: s.parentSpanId } : {}),
    name: s.name,
    kind: OTLP_SPAN_KIND[s.kind],
    startTimeUnixNano: msToUnixNano(s.startMs),
    endTimeUnixNano: msToUnixNano(s.endMs),
    attributes: encodeAttributes(s.attributes),
    status: { code: OTLP_STATUS_CODE[s.status.code], ...(s.status.message ? { message: s.status.message } : {}) },
  };
}

export function encodeTraceRequest(spans: FinishedSpan[], resource: Attributes): OtlpTraceRequest {
  return {
    resourceSpans: [
      { resource: { attributes: encodeAttributes(resource) }, scopeSpans: [{ scope: { name: SCOPE_NAME }, spans: spans.map(encodeSpan) }] },
    ],
  };
}

/** `OTEL_EXPORTER_OTLP_ENDPOINT` is a base URL; the traces path is appended as the OTLP spec says. */
export function tracesUrl(endpoint: string): string {
  const base = endpoint.replace(/\/+$/, "");
  return base.endsWith("/v1/traces") ? base : `${base}/v1/traces`;
}

export interface OtlpExporterConfig {
  /** Base URL, e.g. https://api.smith.langchain.com/otel. */
  endpoint: string;
  headers?: Record<string, string>;
  /** Resource attributes; `service.name` at least. */
  resource: Attributes;
  fetch?: typeof fetch;
  timeoutMs?: number;
  /** Attempts for the statuses OTLP calls retryable (429, 502, 503, 504) and network errors. */
  maxAttempts?: number;
  sleep?: (ms: number) => Promise<void>;
  /** Where failures are reported; never given header values. */
  warn?: (message: string) => void;
}

const RETRYABLE = new Set([429, 502, 503, 504]);

/** Posts spans as OTLP JSON. Every failure becomes `{ok: false}` and a warning, never a throw. */
export class OtlpHttpExporter implements SpanExporter {
  readonly url: string;
  private readonly fetchFn: typeof fetch;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly warn: (message: string) => void;

  constructor(private readonly config: OtlpExporterConfig) {
    this.url = tracesUrl(config.endpoint);
    this.fetchFn = config.fetch ?? ((input, init) => fetch(input, init));
    this.sleep = config.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
    this.warn = config.warn ?? ((m) => console.warn(`[tracing] ${m}`));
  }

  async export(spans: FinishedSpan[]): Promise<ExportResult> {
    if (spans.length === 0) return { ok: true };
    let body: string;
    try {
      body = JSON.stringify(encodeTraceRequest(spans, this.config.resource));
    } catch (e) {
      return this.failed(`could not encode ${spans.length} spans: ${e instanceof Error ? e.message : String(e)}`);
    }
    const attempts = Math.max(1, this.config.maxAttempts ?? 2);
    let last = "";
    for (let attempt = 1; attempt <= attempts; attempt++) {
      try {
        const res = await this.fetchFn(this.url, {
          method: "POST",
          headers: { ...this.config.headers, "content-type": "application/json" },
          body,
          signal: AbortSignal.timeout(this.config.timeoutMs ?? 5_000),
        });
        const text = await res.text().catch(() => "");
        if (res.ok) return this.partial(text, spans.length);
        last = `HTTP ${res.status}`;
        if (!RETRYABLE.has(res.status)) break;
      } catch (e) {
        last = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
      }
      if (attempt < attempts) await this.sleep(250 * attempt);
    }
    return this.failed(`export of ${spans.length} spans to ${this.url} failed: ${last}`);
  }

  /** A 2xx may still carry partialSuccess: some spans were refused. */
  private partial(text: string, sent: number): ExportResult {
    let rejected = 0;
    let message = "";
    try {
      const json = JSON.parse(text) as { partialSuccess?: { rejectedSpans?: unknown; errorMessage?: unknown } };
      rejected = Number(json.partialSuccess?.rejectedSpans ?? 0) || 0;
      message = typeof json.partialSuccess?.errorMessage === "string" ? json.partialSuccess.errorMessage : "";
    } catch {
      // An empty or non-JSON 2xx body is a full success.
    }
    if (rejected > 0) this.warn(`collector rejected ${rejected} of ${sent} spans${message ? `: ${message}` : ""}`);
    return { ok: true };
  }

  private failed(message: string): ExportResult {
    this.warn(message);
    return { ok: false, error: message };
  }
}
