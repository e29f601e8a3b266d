import { describe, expect, it } from "vitest";
import {
  childContext,
  childTraceparent,
  formatTraceparent,
  isSampled,
  newSpanId,
  newTraceId,
  parseTraceparent,
  traceIdOf,
} from "./traceparent";

const TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
const SPAN = "00f067aa0ba902b7";
const VALID = `00-${TRACE}-${SPAN}-01`;

describe("parseTraceparent", () => {
  it("parses the spec's example", () => {
    expect(parseTraceparent(VALID)).toEqual({ traceId: TRACE, spanId: SPAN, flags: 1 });
    expect(parseTraceparent(`00-${TRACE}-${SPAN}-00`)).toEqual({ traceId: TRACE, spanId: SPAN, flags: 0 });
  });

  it("tolerates surrounding whitespace (header OWS)", () => {
    expect(parseTraceparent(`  ${VALID} `)?.traceId).toBe(TRACE);
  });

  it.each([
    ["missing", undefined],
    ["null", null],
    ["empty", ""],
    ["uppercase hex", `00-${TRACE.toUpperCase()}-${SPAN}-01`],
    ["all-zero trace id", `00-${"0".repeat(32)}-${SPAN}-01`],
    ["all-zero span id", `00-${TRACE}-${"0".repeat(16)}-01`],
    ["version ff", `ff-${TRACE}-${SPAN}-01`],
    ["non-hex version", `0g-${TRACE}-${SPAN}-01`],
    ["short trace id", `00-${TRACE.slice(1)}-${SPAN}-01`],
    ["short span id", `00-${TRACE}-${SPAN.slice(1)}-01`],
    ["non-hex flags", `00-${TRACE}-${SPAN}-0x`],
    ["wrong separator", `00_${TRACE}-${SPAN}-01`],
    ["version 00 with extra fields", `${VALID}-extra`],
    ["garbage", "not a traceparent at all, but long enough to reach the 55 chars"],
  ])("rejects %s", (_label, header) => {
    expect(parseTraceparent(header)).toBeNull();
  });

  it("parses a future version's known fields and ignores what follows", () => {
    expect(parseTraceparent(`cc-${TRACE}-${SPAN}-01-what-the-future-will-add`)).toEqual({ traceId: TRACE, spanId: SPAN, flags: 1 });
    expect(parseTraceparent(`cc-${TRACE}-${SPAN}-01`)?.spanId).toBe(SPAN);
    // A future version must still put a "-" right after the flags.
    expect(parseTraceparent(`cc-${TRACE}-${SPAN}-01x`)).toBeNull();
  });
});

describe("formatting and children", () => {
  it("round-trips and always writes version 00", () => {
    expect(formatTraceparent(parseTraceparent(VALID)!)).toBe(VALID);
    expect(formatTraceparent(parseTraceparent(`cc-${TRACE}-${SPAN}-03-x`)!)).toBe(`00-${TRACE}-${SPAN}-03`);
  });

  it("a child keeps the trace id and flags and gets a new span id", () => {
    const parent = parseTraceparent(`00-${TRACE}-${SPAN}-00`)!;
    const child = childContext(parent);
    expect(child.traceId).toBe(TRACE);
    expect(child.flags).toBe(0);
    expect(child.spanId).not.toBe(SPAN);
    expect(child.spanId).toMatch(/^[0-9a-f]{16}$/);
    expect(isSampled(child)).toBe(false);
  });

  it("child span ids are unique", () => {
    const parent = parseTraceparent(VALID)!;
    const ids = new Set(Array.from({ length: 2_000 }, () => childContext(parent).spanId));
    expect(ids.size).toBe(2_000);
  });

  it("starts a new sampled trace without a (valid) parent", () => {
    const a = parseTraceparent(childTraceparent(undefined))!;
    const b = parseTraceparent(childTraceparent("00-garbage"))!;
    expect(a).not.toBeNull();
    expect(isSampled(a)).toBe(true);
    expect(a.traceId).not.toBe(b.traceId);
    expect(traceIdOf(childTraceparent(VALID))).toBe(TRACE);
  });

  it("random ids have the right shape", () => {
    expect(newTraceId()).toMatch(/^[0-9a-f]{32}$/);
    expect(newSpanId()).toMatch(/^[0-9a-f]{16}$/);
  });
});
