import { describe, expect, it } from "vitest";
import { murmur2, partitionForKey } from "./murmur2";

const enc = new TextEncoder();

describe("murmur2", () => {
  // Vectors from Apache Kafka's UtilsTest#testMurmur2.
  it.each([
    ["21", -973932308],
    ["foobar", -790332482],
    ["a-little-bit-long-string", -985981536],
    ["a-little-bit-longer-string", -1486304829],
    ["lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8", -58897971],
    ["abc", 479470107],
  ])("matches Kafka for %s", (input, expected) => {
    expect(murmur2(enc.encode(input))).toBe(expected);
  });

  it("maps keys into range and is stable", () => {
    for (const key of ["p1", "p2", "project-xyz", ""]) {
      const p = partitionForKey(key, 4);
      expect(p).toBeGreaterThanOrEqual(0);
      expect(p).toBeLessThan(4);
      expect(partitionForKey(key, 4)).toBe(p);
    }
  });
});
