/**
 * W3C Trace Context `traceparent` (https://www.w3.org/TR/trace-context/#traceparent-header):
 * `version-traceid-parentid-flags`, all lowercase hex. Pure functions over WebCrypto, so the same
 * file runs in Workers, in Node (sandbox-host) and in tests.
 */

export interface SpanContext {
  /** 32 lowercase hex digits, not all zero. */
  traceId: string;
  /** 16 lowercase hex digits, not all zero. */
  spanId: string;
  /** Trace flags; bit 0 is "sampled". */
  flags: number;
}

export const TRACEPARENT_HEADER = "traceparent";
export const SAMPLED_FLAG = 0x01;

const HEX = /^[0-9a-f]+$/;
const ZERO_TRACE = "0".repeat(32);
const ZERO_SPAN = "0".repeat(16);

/**
 * null for anything a receiver must ignore (then it starts a new trace). Versions above 00 are
 * parsed as 00 when their first four fields are well formed, as the spec asks of receivers.
 */
export function parseTraceparent(header: string | null | undefined): SpanContext | null {
  if (typeof header !== "string") return null;
  const value = header.trim();
  if (value.length < 55) return null;
  const version = value.slice(0, 2);
  if (!HEX.test(version) || version === "ff") return null;
  // Version 00 is exactly 55 characters; a later version may append fields after another "-".
  if (version === "00" ? value.length !== 55 : value.length > 55 && value[55] !== "-") return null;
  const [, traceId, spanId, flagsHex] = value.slice(0, 55).split("-");
  if (value[2] !== "-" || value[35] !== "-" || value[52] !== "-") return null;
  if (!traceId || !spanId || !flagsHex) return null;
  if (traceId.length !== 32 || !HEX.test(traceId) || traceId === ZERO_TRACE) return null;
  if (spanId.length !== 16 || !HEX.test(spanId) || spanId === ZERO_SPAN) return null;
  if (flagsHex.length !== 2 || !HEX.test(flagsHex)) return null;
  return { traceId, spanId, flags: Number.parseInt(flagsHex, 16) };
}

/** Always emits version 00 (the only version this code knows how to write). */
export function formatTraceparent(ctx: SpanContext): string {
  return `00-${ctx.traceId}-${ctx.spanId}-${(ctx.flags & 0xff).toString(16).padStart(2, "0")}`;
}

function randomHex(bytes: number): string {
  for (;;) {
    const hex = Array.from(crypto.getRandomValues(new Uint8Array(bytes)), (b) => b.toString(16).padStart(2, "0")).join("");
    // All-zero ids are invalid; the chance is 2^-64 or less, but the spec forbids them outright.
    if (/[^0]/.test(hex)) return hex;
  }
}

export const newTraceId = (): string => randomHex(16);
export const newSpanId = (): string => randomHex(8);

/**
 * The context of a new span under `parent`: same trace, same flags, fresh span id. Without a
 * parent it starts a new, sampled trace.
 */
export function childContext(parent: SpanContext | null | undefined): SpanContext {
  if (!parent) return { traceId: newTraceId(), spanId: newSpanId(), flags: SAMPLED_FLAG };
  return { traceId: parent.traceId, spanId: newSpanId(), flags: parent.flags };
}

/** A child traceparent for an outgoing call; starts a trace when the incoming one is missing or invalid. */
export function childTraceparent(parent: string | null | undefined): string {
  return formatTraceparent(childContext(parseTraceparent(parent)));
}

export function traceIdOf(header: string | null | undefined): string | null {
  return parseTraceparent(header)?.traceId ?? null;
}

export const isSampled = (ctx: SpanContext): boolean => (ctx.flags & SAMPLED_FLAG) === SAMPLED_FLAG;
