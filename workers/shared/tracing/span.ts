import { childContext, formatTraceparent, isSampled, parseTraceparent, type SpanContext } from "./traceparent";

export type SpanKind = "internal" | "server" | "client" | "producer" | "consumer";
export type AttributeValue = string | number | boolean;
export type Attributes = Record<string, AttributeValue>;
export type SpanStatus = { code: "unset" | "ok" | "error"; message?: string };

/** A span that has ended: what exporters receive. Times are epoch milliseconds. */
export interface FinishedSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string | null;
  name: string;
  kind: SpanKind;
  startMs: number;
  endMs: number;
  attributes: Attributes;
  status: SpanStatus;
}

export interface ExportResult {
  ok: boolean;
  error?: string;
}

export interface SpanExporter {
  /** Must resolve, never reject: tracing may not break the work it observes. */
  export(spans: FinishedSpan[]): Promise<ExportResult>;
}

export interface StartSpanOptions {
  /** A parsed context or a raw traceparent header; missing or invalid starts a new trace. */
  parent?: SpanContext | string | null;
  /** Ids handed out before the span was recorded (e.g. already sent in a message); default: a new child of `parent`. */
  context?: SpanContext;
  kind?: SpanKind;
  attributes?: Attributes;
  startMs?: number;
}

const MAX_ATTRIBUTE_CHARS = 4_096;

/** One unit of work. Only ends once; attributes set after the end are ignored. */
export class Span {
  readonly context: SpanContext;
  private readonly attributes: Attributes = {};
  private status: SpanStatus = { code: "unset" };
  private ended = false;

  constructor(
    private readonly tracer: Tracer,
    readonly name: string,
    private readonly parentSpanId: string | null,
    context: SpanContext,
    private readonly kind: SpanKind,
    private readonly startMs: number,
  ) {
    this.context = context;
  }

  /** The header to put on outgoing calls made inside this span. */
  get traceparent(): string {
    return formatTraceparent(this.context);
  }

  get traceId(): string {
    return this.context.traceId;
  }

  /** null and undefined are skipped, so callers can pass optional values straight through. */
  setAttribute(key: string, value: AttributeValue | null | undefined): this {
    if (this.ended || value === null || value === undefined) return this;
    if (typeof value === "number" && !Number.isFinite(value)) return this;
    this.attributes[key] =
      typeof value === "string" && value.length > MAX_ATTRIBUTE_CHARS ? `${value.slice(0, MAX_ATTRIBUTE_CHARS)}…` : value;
    return this;
  }

  setAttributes(attrs: Record<string, AttributeValue | null | undefined>): this {
    for (const [k, v] of Object.entries(attrs)) this.setAttribute(k, v);
    return this;
  }

  ok(): this {
    if (!this.ended) this.status = { code: "ok" };
    return this;
  }

  fail(message: string): this {
    if (!this.ended) this.status = { code: "error", message: message.slice(0, MAX_ATTRIBUTE_CHARS) };
    return this;
  }

  end(endMs?: number): void {
    if (this.ended) return;
    this.ended = true;
    // Unsampled spans are propagated but not recorded, as the flag asks.
    if (!isSampled(this.context)) return;
    this.tracer.record({
      traceId: this.context.traceId,
      spanId: this.context.spanId,
      parentSpanId: this.parentSpanId,
      name: this.name,
      kind: this.kind,
      startMs: this.startMs,
      endMs: Math.max(this.startMs, endMs ?? this.tracer.now()),
      attributes: { ...this.attributes },
      status: this.status,
    });
  }
}

export interface TracerOptions {
  /** null: spans get ids (so traceparent still propagates) but are never sent anywhere. */
  exporter: SpanExporter | null;
  now?: () => number;
  /** Spans kept while waiting for a flush; beyond it the oldest are dropped. */
  maxQueue?: number;
  /** Spans per export request. */
  maxBatch?: number;
}

/**
 * Collects ended spans and sends them in batches when flushed. Workers have no background
 * thread, so callers flush at the end of a request or task (usually inside `waitUntil`).
 */
export class Tracer {
  private queue: FinishedSpan[] = [];
  private flushing: Promise<void> = Promise.resolve();
  private droppedCount = 0;
  readonly now: () => number;
  private readonly maxQueue: number;
  private readonly maxBatch: number;

  constructor(private readonly options: TracerOptions) {
    this.now = options.now ?? (() => Date.now());
    this.maxQueue = options.maxQueue ?? 2_048;
    this.maxBatch = options.maxBatch ?? 256;
  }

  get enabled(): boolean {
    return this.options.exporter !== null;
  }

  /** Spans lost to a full queue or a failed export since this tracer was made. */
  get dropped(): number {
    return this.droppedCount;
  }

  get pending(): number {
    return this.queue.length;
  }

  startSpan(name: string, opts: StartSpanOptions = {}): Span {
    const parent = typeof opts.parent === "string" ? parseTraceparent(opts.parent) : (opts.parent ?? null);
    const span = new Span(
      this,
      name,
      parent?.spanId ?? null,
      opts.context ?? childContext(parent),
      opts.kind ?? "internal",
      opts.startMs ?? this.now(),
    );
    if (opts.attributes) span.setAttributes(opts.attributes);
    return span;
  }

  /** Called by Span.end(). */
  record(span: FinishedSpan): void {
    if (!this.options.exporter) return;
    this.queue.push(span);
    if (this.queue.length > this.maxQueue) {
      const excess = this.queue.length - this.maxQueue;
      this.queue.splice(0, excess);
      this.droppedCount += excess;
    }
  }

  /** Sends everything queued so far. Resolves when done; never rejects. */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(() => this.drain());
    return this.flushing;
  }

  private async drain(): Promise<void> {
    const exporter = this.options.exporter;
    if (!exporter) return;
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.maxBatch);
      try {
        const result = await exporter.export(batch);
        if (!result.ok) this.droppedCount += batch.length;
      } catch {
        // Exporters promise not to throw; a broken one still must not reach the caller.
        this.droppedCount += batch.length;
      }
    }
  }
}
