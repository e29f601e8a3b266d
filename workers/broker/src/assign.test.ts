import { describe, expect, it } from "vitest";
import { rangeAssign } from "./assign";

describe("rangeAssign", () => {
  it("splits partitions across members and covers each exactly once", () => {
    const a = rangeAssign(
      [
        { instance: "b", topics: ["t"] },
        { instance: "a", topics: ["t"] },
        { instance: "c", topics: ["t"] },
      ],
      new Map([["t", 4]]),
    );
    expect(a.get("a")!.map((x) => x.partition)).toEqual([0, 1]);
    expect(a.get("b")!.map((x) => x.partition)).toEqual([2]);
    expect(a.get("c")!.map((x) => x.partition)).toEqual([3]);
  });

  it("gives a member nothing for topics it did not subscribe to", () => {
    const a = rangeAssign(
      [
        { instance: "a", topics: ["t"] },
        { instance: "b", topics: ["u"] },
      ],
      new Map([
        ["t", 2],
        ["u", 1],
      ]),
    );
    expect(a.get("a")).toEqual([
      { topic: "t", partition: 0 },
      { topic: "t", partition: 1 },
    ]);
    expect(a.get("b")).toEqual([{ topic: "u", partition: 0 }]);
  });

  it("leaves extra members idle when there are more members than partitions", () => {
    const a = rangeAssign(
      [
        { instance: "a", topics: ["t"] },
        { instance: "b", topics: ["t"] },
      ],
      new Map([["t", 1]]),
    );
    expect(a.get("a")).toHaveLength(1);
    expect(a.get("b")).toHaveLength(0);
  });
});
