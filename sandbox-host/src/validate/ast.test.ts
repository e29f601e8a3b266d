import { describe, expect, it } from "vitest";
import { analyze, position } from "./ast";

describe("analyze", () => {
  it("reports a TypeScript syntax error with file, line and column", async () => {
    const d = await analyze([{ path: "src/a.ts", text: "const ok = 1;\nconst x: = 2;\n" }]);
    const syntax = d.filter((x) => x.source === "syntax");
    expect(syntax).toHaveLength(1);
    expect(syntax[0]).toMatchObject({ file: "src/a.ts", line: 2, column: 10, severity: "error" });
    expect(syntax[0]?.message).toMatch(/unexpected/i);
  });

  it("reports a Python syntax error at the right line", async () => {
    const d = await analyze([{ path: "m.py", text: "x = 1\ndef f(:\n    return 2\n" }]);
    const syntax = d.filter((x) => x.source === "syntax");
    expect(syntax.length).toBeGreaterThan(0);
    expect(syntax[0]).toMatchObject({ file: "m.py", line: 2, severity: "error" });
  });

  it("accepts valid code in both languages and ignores other files", async () => {
    const d = await analyze([
      { path: "a.mjs", text: "export const f = (a) => a * 2;\n" },
      { path: "t.py", text: "def f(a):\n    return a * 2\n" },
      { path: "README.md", text: "def f(:" },
      { path: "bin.dat", text: null },
    ]);
    expect(d).toEqual([]);
  });

  it("flags policy findings without calling them errors", async () => {
    const d = await analyze([
      { path: "a.js", text: "const cp = require('child_process');\nimport('node:net');\neval('1');\n" },
      { path: "b.py", text: "import subprocess\nfrom socket import socket\nos.system('ls')\n" },
    ]);
    expect(d.every((x) => x.source === "policy" && x.severity === "warning")).toBe(true);
    const rules = d.map((x) => `${x.file}:${x.line}:${x.rule}`);
    expect(rules).toEqual(
      expect.arrayContaining([
        "a.js:1:dangerous-module",
        "a.js:2:dangerous-module",
        "a.js:3:eval",
        "b.py:1:dangerous-module",
        "b.py:2:dangerous-module",
        "b.py:3:shell",
      ]),
    );
  });

  it("computes 1-based positions", () => {
    expect(position("ab\ncd", 4)).toEqual({ line: 2, column: 2 });
    expect(position("ab", 0)).toEqual({ line: 1, column: 1 });
  });
});
