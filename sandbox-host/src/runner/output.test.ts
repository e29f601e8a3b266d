import { describe, expect, it } from "vitest";
import { CappedOutput } from "./output";

describe("CappedOutput", () => {
  it("keeps the first cap bytes, counts all of them and marks truncation", () => {
    const seen: string[] = [];
    const out = new CappedOutput(10, (t) => seen.push(t));
    out.push(Buffer.from("hello "));
    out.push(Buffer.from("world, this is long"));
    out.push(Buffer.from("more"));
    expect(out.text()).toBe("hello worl");
    expect(out.total).toBe(29);
    expect(out.truncated).toBe(true);
    expect(seen.join("")).toBe("hello worl");
  });

  it("is not truncated when everything fits and streams split UTF-8 correctly", () => {
    const seen: string[] = [];
    const out = new CappedOutput(100, (t) => seen.push(t));
    const euro = Buffer.from("€");
    out.push(euro.subarray(0, 1));
    out.push(euro.subarray(1));
    expect(out.truncated).toBe(false);
    expect(seen.join("")).toBe("€");
  });
});
