import { describe, expect, it } from "vitest";
import { buildTree } from "./tree";

describe("buildTree", () => {
  it("nests folders, sorts folders before files, and ignores duplicate paths", () => {
    const root = buildTree([
      { path: "src/b.ts", bytes: 1 },
      { path: "README.md", bytes: 2 },
      { path: "src/lib/a.ts", bytes: 3 },
      { path: "src/a.ts", bytes: 4 },
      { path: "src/a.ts", bytes: 4 },
    ]);
    const names = (d: typeof root): unknown[] => d.children.map((c) => (c.kind === "dir" ? { [c.name]: names(c) } : c.name));
    expect(names(root)).toEqual([{ src: [{ lib: ["a.ts"] }, "a.ts", "b.ts"] }, "README.md"]);
  });
});
