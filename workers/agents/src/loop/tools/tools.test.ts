import { describe, expect, it } from "vitest";
import { sandboxCommandRunner } from "../runner";
import { localTestSandbox } from "../testing/local-test-runner";
import { MemoryWorkspace } from "../workspace";
import { ENGINEER_TOOLS, executeToolCall, toolSpec } from "./index";
import type { ToolContext } from "./types";
import { APP_SLIP, APP_SOURCE, TEST_SOURCE } from "../../sim/project";

function ctx(files: Record<string, string> = {}, extra: Partial<ToolContext> = {}): ToolContext {
  return { workspace: new MemoryWorkspace(files), runner: null, maxOutputChars: 4000, lastRuns: {}, appliedEdits: {}, ...extra };
}
const callTool = (name: string, args: unknown, c: ToolContext) =>
  executeToolCall({ id: "c1", name, arguments: typeof args === "string" ? args : JSON.stringify(args) }, ENGINEER_TOOLS, c);

describe("tool specs", () => {
  it("are JSON Schema objects from the zod schemas", () => {
    const specs = ENGINEER_TOOLS.map(toolSpec);
    expect(specs.map((s) => s.name)).toEqual([
      "list_files",
      "read_file",
      "write_file",
      "edit_file",
      "delete_file",
      "search",
      "run",
      "finish",
    ]);
    const edit = specs.find((s) => s.name === "edit_file")!;
    expect(edit.parameters).toMatchObject({
      type: "object",
      required: ["path", "search", "replace"],
      properties: { path: { type: "string" } },
    });
    expect(edit.parameters).not.toHaveProperty("$schema");
    expect(specs.find((s) => s.name === "finish")!.parameters).toMatchObject({
      properties: { status: { enum: ["done", "tests_failing"] } },
    });
  });
});

describe("bad arguments become tool errors, never crashes", () => {
  it("malformed JSON text", async () => {
    const r = await callTool("write_file", '{"path": "a.js", "content": "x', ctx());
    expect(r.isError).toBe(true);
    expect(r.content).toMatch(/^the arguments of write_file are not valid JSON \(.+\)/);
  });
  it("wrong types name the field", async () => {
    const r = await callTool("write_file", { path: "a.js", content: 42 }, ctx());
    expect(r.isError).toBe(true);
    expect(r.content).toMatch(/invalid arguments for write_file: field "content": .*expected string/i);
    const r2 = await callTool("read_file", { path: "a.js", startLine: "one" }, ctx({ "a.js": "x" }));
    expect(r2.content).toMatch(/field "startLine"/);
  });
  it("unknown tools list the available ones", async () => {
    const r = await callTool("rm_rf", {}, ctx());
    expect(r.content).toMatch(/unknown tool "rm_rf"; available: list_files, read_file/);
  });
});

describe("file tools", () => {
  it("list_files shows sizes", async () => {
    const r = await callTool("list_files", {}, ctx({ "b.js": "12345", "a.txt": "é" }));
    expect(r.content).toBe("a.txt (2 bytes)\nb.js (5 bytes)");
  });

  it("read_file numbers lines and honours ranges", async () => {
    const c = ctx({ "src/app.js": APP_SOURCE });
    const all = await callTool("read_file", { path: "src/app.js" }, c);
    expect(all.content.split("\n")[0]).toBe(" 1 | // In-memory items API: handle(method, path, body) -> { status, body }.");
    const part = await callTool("read_file", { path: "src/app.js", startLine: 14, endLine: 15 }, c);
    expect(part.content).toBe("14 |     return { status: 201, body: item };\n15 |   }\n[lines 14-15 of 20; read on with startLine 16]");
    expect((await callTool("read_file", { path: "nope.js" }, c)).content).toMatch(/does not exist/);
  });

  it("write_file lands complete files and refuses placeholders without writing", async () => {
    const c = ctx();
    expect((await callTool("write_file", { path: "src/app.js", content: APP_SOURCE }, c)).isError).toBe(false);
    const lazy = await callTool(
      "write_file",
      { path: "src/app.js", content: "const a = 1;\n// ... rest of the code remains the same\n" },
      c,
    );
    expect(lazy.isError).toBe(true);
    expect(lazy.content).toMatch(/refused, nothing was written:\n- placeholder or elided code is not allowed.*line 2/);
    expect(await c.workspace.read("src/app.js")).toBe(APP_SOURCE);
    expect((await callTool("write_file", { path: "../x.js", content: "1" }, c)).content).toMatch(/invalid path/);
  });

  it("edit_file replaces exactly one occurrence and explains missing or ambiguous text", async () => {
    const c = ctx({ "src/app.js": APP_SLIP });
    const missing = await callTool("edit_file", { path: "src/app.js", search: "status: 500", replace: "x" }, c);
    expect(missing.content).toMatch(/the search text was not found; read_file it first/);
    const spaced = await callTool("edit_file", { path: "src/app.js", search: "return {  status: 200,\n body: item };", replace: "x" }, c);
    expect(spaced.content).toMatch(/it does occur with different whitespace/);
    const ambiguous = await callTool("edit_file", { path: "src/app.js", search: "status: 200", replace: "status: 201" }, c);
    expect(ambiguous.content).toBe(
      "edit_file src/app.js: the search text matches 2 times; include more surrounding lines so it matches exactly once",
    );
    const fixed = await callTool(
      "edit_file",
      { path: "src/app.js", search: "status: 200, body: item }", replace: "status: 201, body: item }" },
      c,
    );
    expect(fixed).toMatchObject({ isError: false, content: "edited src/app.js at line 14" });
    expect(await c.workspace.read("src/app.js")).toBe(APP_SOURCE);
    const breaking = await callTool(
      "edit_file",
      { path: "src/app.js", search: "module.exports = { handle };", replace: "module.exports = { handle" },
      c,
    );
    expect(breaking.content).toMatch(/refused, nothing was changed:\n- looks truncated/);
  });

  it("refuses a change identical to one already applied", async () => {
    const c = ctx({}, { appliedEdits: {} });
    const first = await callTool("write_file", { path: "a.js", content: "let a = 1;\n" }, c);
    c.appliedEdits[first.edit!] = 3;
    const again = await callTool("write_file", { path: "a.js", content: "let a = 1;\n" }, c);
    expect(again).toMatchObject({ isError: true, reappliedFrom: 3 });
  });

  it("delete_file removes a file and says when there was none", async () => {
    const c = ctx({ "a.js": "1" });
    expect((await callTool("delete_file", { path: "a.js" }, c)).content).toBe("deleted a.js");
    expect((await callTool("delete_file", { path: "a.js" }, c)).isError).toBe(true);
    expect(await c.workspace.version()).toBe(1);
  });
});

describe("search", () => {
  it("finds literal text and regexes, capped, with a path filter", async () => {
    const files: Record<string, string> = { "src/app.js": APP_SOURCE, "test/app.test.js": TEST_SOURCE };
    for (let i = 0; i < 60; i++) files[`gen/f${i}.js`] = "const needle = 1;\n";
    const c = ctx(files);
    expect((await callTool("search", { pattern: "status: 201" }, c)).content).toBe("src/app.js:14: return { status: 201, body: item };");
    const re = await callTool("search", { pattern: "status: 20[01]", regex: true, path: "src/" }, c);
    expect(re.content.split("\n")).toHaveLength(2);
    const capped = await callTool("search", { pattern: "needle" }, c);
    expect(capped.content).toMatch(/\[10 more matches not shown/);
    expect((await callTool("search", { pattern: "(", regex: true }, c)).content).toMatch(/invalid regular expression/);
  });
});

describe("run and finish", () => {
  it("run returns the exit code, parsed failures and the output; finish refuses 'done' on failing tests", async () => {
    const c = ctx({ "src/app.js": APP_SLIP, "test/app.test.js": TEST_SOURCE }, { runner: sandboxCommandRunner(localTestSandbox) });
    const r = await callTool("run", { command: "test" }, c);
    expect(r.isError).toBe(true);
    expect(r.content).toMatch(
      new RegExp(
        "^\\$ node --test --test-reporter=tap\nexit code: 1, \\d+ ms, isolation: none \\(test-only local runner\\)\n" +
          "tests: 4, passed: 3, failed: 1\nFAILED: POST /items creates an item and answers 201",
      ),
    );
    expect(r.content).toMatch(/expected: 201/);
    expect(r.content).toMatch(/actual: 200/);
    const refused = await callTool("finish", { summary: "done", status: "done" }, c);
    expect(refused.content).toMatch(/^finish refused: the last test run on these exact files failed/);
    const honest = await callTool("finish", { summary: "stopping", status: "tests_failing", notes: "create returns 200" }, c);
    expect(honest.finish).toEqual({ summary: "stopping", status: "tests_failing", notes: "create returns 200" });
    expect((await callTool("run", { command: "typecheck" }, c)).content).toMatch(/no "typecheck" command/);
    expect((await callTool("run", { command: "lint" }, c)).content).toMatch(/field "command"/);
  });

  it("run without a sandbox is a clear tool error", async () => {
    expect((await callTool("run", { command: "test" }, ctx())).content).toBe("no sandbox is available to run commands in this task");
  });
});

describe("QA tools", () => {
  it("cannot change the workspace", async () => {
    const { QA_TOOLS } = await import("./index");
    expect(QA_TOOLS.map((t) => t.name)).toEqual(["list_files", "read_file", "search", "run", "finish"]);
    const c = ctx({ "a.js": "let a = 1;\n" });
    const r = await executeToolCall({ id: "x", name: "write_file", arguments: '{"path":"a.js","content":"x"}' }, QA_TOOLS, c);
    expect(r.content).toMatch(/^unknown tool "write_file"; available: list_files, read_file, search, run, finish$/);
    expect(await c.workspace.read("a.js")).toBe("let a = 1;\n");
  });
});
