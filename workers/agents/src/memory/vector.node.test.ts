import { describe, expect, it } from "vitest";
import { TopK, cosine, decodeVector, encodeVector } from "./vector";

describe("vector helpers", () => {
  it("round-trips float32 vectors through little-endian bytes", () => {
    const v = Float32Array.from([1.5, -2.25, 0, 3.4028234663852886e38]);
    const bytes = encodeVector(v);
    expect(Array.from(bytes.subarray(0, 4))).toEqual([0, 0, 0xc0, 0x3f]); // 1.5f, little-endian
    expect(Array.from(decodeVector(bytes))).toEqual(Array.from(v));
    expect(() => decodeVector(new Uint8Array(5))).toThrow(/multiple of 4/);
  });

  it("scores cosine and treats different dimensions as unrelated", () => {
    expect(cosine(Float32Array.from([1, 0]), Float32Array.from([2, 0]))).toBeCloseTo(1);
    expect(cosine(Float32Array.from([1, 0]), Float32Array.from([-1, 0]))).toBeCloseTo(-1);
    expect(cosine(Float32Array.from([1, 0]), Float32Array.from([1, 0, 0]))).toBe(0);
  });

  it("keeps only the k best, best first", () => {
    const top = new TopK<string>(3);
    [0.1, 0.9, 0.5, 0.3, 0.95, 0.2].forEach((s, i) => top.offer(s, `v${i}`));
    expect(top.result().map((r) => r.value)).toEqual(["v4", "v1", "v2"]);
    const none = new TopK<string>(0);
    none.offer(1, "x");
    expect(none.result()).toEqual([]);
  });
});
