import { describe, expect, it } from "vitest";
import { take, type Bucket } from "./bucket";

const MIN = 60_000;

function drain(n: number, capacity: number, now: number, start?: Bucket) {
  let b = start;
  const oks: boolean[] = [];
  for (let i = 0; i < n; i++) {
    const r = take(b, capacity, MIN, now);
    b = r.bucket;
    oks.push(r.result.ok);
  }
  return { bucket: b!, oks };
}

describe("token bucket", () => {
  it("allows a burst of `capacity`, then refuses with a Retry-After", () => {
    const { bucket, oks } = drain(5, 5, 1_000);
    expect(oks).toEqual([true, true, true, true, true]);
    const r = take(bucket, 5, MIN, 1_000);
    expect(r.result.ok).toBe(false);
    // 5 per minute = one token every 12 s.
    expect(r.result.retryAfterS).toBe(12);
  });

  it("refills continuously and never beyond capacity", () => {
    const { bucket } = drain(5, 5, 0);
    expect(take(bucket, 5, MIN, 11_999).result.ok).toBe(false);
    const later = take(bucket, 5, MIN, 12_000);
    expect(later.result.ok).toBe(true);
    expect(later.result.remaining).toBe(0);
    // An hour idle still gives only `capacity`.
    const { oks } = drain(6, 5, 3_600_000, bucket);
    expect(oks).toEqual([true, true, true, true, true, false]);
  });

  it("does not mint tokens when the clock goes backwards", () => {
    const { bucket } = drain(5, 5, 100_000);
    expect(take(bucket, 5, MIN, 0).result.ok).toBe(false);
  });
});
