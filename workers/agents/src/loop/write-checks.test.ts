import { describe, expect, it } from "vitest";
import { APP_SOURCE, TEST_SOURCE } from "../sim/project";
import { checkBalance } from "./balance";
import { checkWrite, findPlaceholders } from "./write-checks";

describe("write checks", () => {
  it("accepts complete files", () => {
    expect(checkWrite("src/app.js", APP_SOURCE)).toEqual([]);
    expect(checkWrite("test/app.test.js", TEST_SOURCE)).toEqual([]);
    expect(checkWrite("package.json", '{"name":"x","scripts":{"test":"node --test"}}')).toEqual([]);
    expect(checkWrite("README.md", "# Items\n\nSee src/app.js. Spread works: {...a}.\n")).toEqual([]);
  });

  it.each([
    ["// ... rest of the code remains the same", "rest of the code"],
    ["function f() {\n  // ...\n}", "// ..."],
    ["function f() { /* ... */ }", "/* ... */"],
    ["// existing code here", "existing code here"],
    ["function f() {\n  // TODO: implement\n}", "TODO: implement"],
    ["const a = 1;\n// (helpers omitted for brevity)", "omitted for brevity"],
    ["def f():\n    # ...\n    pass", "// ..."],
    ["<div>\n<!-- ... -->\n</div>", "<!-- ... -->"],
    ["class A { ... }", "{ ... }"],
  ])("rejects the placeholder %j", (snippet, what) => {
    const path = snippet.startsWith("def") ? "app.py" : snippet.startsWith("<div") ? "index.html" : "src/a.js";
    const errors = checkWrite(path, snippet);
    expect(errors.join("\n")).toContain("placeholder or elided code");
    expect(findPlaceholders(path, snippet).join(" ")).toContain(what.replace(/"/g, ""));
  });

  it("does not flag TAP fixtures, Python stubs or `${…}` described in a comment", () => {
    expect(
      checkWrite("test/fixture.test.js", "const tap = `not ok 1 - x\n  ---\n  type: 'test'\n  ...\n`;\nmodule.exports = { tap };\n"),
    ).toEqual([]);
    expect(checkWrite("proto.py", "class Store(Protocol):\n    def get(self) -> int:\n        ...\n")).toEqual([]);
    expect(checkWrite("src/t.ts", "/**\n * templates with ${…} and {…} blocks\n */\nexport const t = 1;\n")).toEqual([]);
  });

  it("does not flag spreads, rest parameters or ranges as elisions", () => {
    const code = "function f(...args) {\n  const b = [...args];\n  return { ...b };\n}\nmodule.exports = { f };\n";
    expect(checkWrite("src/f.js", code)).toEqual([]);
  });

  it("rejects truncated JS and says what is left open", () => {
    const cut = APP_SOURCE.slice(0, APP_SOURCE.indexOf("return { status: 404"));
    const errors = checkWrite("src/app.js", cut);
    expect(errors.join()).toMatch(/looks truncated or unbalanced: "\{" opened on line \d+ is never closed/);
    expect(checkWrite("src/a.js", 'const s = "unterminated')[0]).toMatch(/unterminated string starting on line 1/);
    expect(checkWrite("src/a.js", "const t = `a ${b} c")[0]).toMatch(/unterminated template literal/);
  });

  it("handles strings, templates, comments and regexes with brackets inside", () => {
    expect(
      checkBalance('const a = "({["; const b = \'}\'; // ) ]\n/* { */ const c = `x ${ { k: "}" }.k } y`; const r = /[)}]+/g;'),
    ).toBeNull();
    expect(checkBalance("const half = a / b; const r = x.replace(/\\)/g, '');")).toBeNull();
    expect(checkBalance("if (a) { b(); ]")).toMatch(/"]" on line 1 closes "\{"/);
  });

  it("rejects invalid JSON with the parser's message", () => {
    expect(checkWrite("package.json", '{"name": "x",')[0]).toMatch(/^not valid JSON \(truncated\?\)/);
  });

  it("applies the path rules of the Engineers' files", () => {
    expect(checkWrite("../etc/passwd", "x")[0]).toMatch(/invalid path/);
    expect(checkWrite("/abs.js", "x")[0]).toMatch(/must be relative/);
    expect(checkWrite("a b.js", "x")[0]).toMatch(/may only contain/);
  });

  it("runs an extra syntax check when one is plugged in", () => {
    const errors = checkWrite("src/a.ts", "let x = 1;", { checkSyntax: (p) => (p.endsWith(".ts") ? "parser: boom" : null) });
    expect(errors).toEqual(["parser: boom"]);
  });
});
