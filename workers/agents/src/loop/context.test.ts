import { describe, expect, it } from "vitest";
import type { ChatMessage } from "../llm/types";
import { APP_SOURCE } from "../sim/project";
import { compactMessages, estimateTokens, firstUserTurn } from "./context";
import { exportedSymbols, projectMap } from "./project-map";
import { headTail } from "./truncate";
import { MemoryWorkspace } from "./workspace";

describe("project map", () => {
  it("lists files, sizes and exported symbols instead of their content", () => {
    const ts =
      "export async function createItem() {}\nexport const LIMIT = 5;\nexport interface Item {}\n" +
      "export type Id = string;\nexport { a, b as c };\nexport default class App {}\n";
    expect(exportedSymbols("src/a.ts", ts)).toEqual(["createItem", "LIMIT", "Item", "Id", "App", "a", "c"]);
    expect(exportedSymbols("src/app.js", APP_SOURCE)).toEqual(["handle"]);
    expect(exportedSymbols("x.js", "exports.one = 1;\nmodule.exports.two = 2;\n")).toEqual(["one", "two"]);
    expect(exportedSymbols("m.py", "def route():\n  pass\nclass Store:\n  pass\ndef _private():\n  pass\n")).toEqual(["route", "Store"]);
    const map = projectMap([
      { path: "src/app.js", content: APP_SOURCE },
      { path: "README.md", content: "# hi" },
    ]);
    expect(map).toBe(
      "Project files (2); read_file shows a file's content:\n" +
        `- src/app.js (${APP_SOURCE.length} bytes) exports: handle\n- README.md (4 bytes)`,
    );
    expect(map).not.toContain("items.push");
  });

  it("the first user turn carries the task, the upstream documents once, and the map", () => {
    const turn = firstUserTurn(
      "Fix the create route.",
      [
        { title: "PRD", content: "p" },
        { title: "Architecture", content: "a" },
      ],
      [{ path: "src/app.js", content: APP_SOURCE }],
    );
    expect(turn).toMatch(/^# Task\nFix the create route\.\n\n# PRD\np\n\n# Architecture\na\n\n# Project\nProject files \(1\)/);
  });
});

describe("tool output truncation", () => {
  it("keeps head and tail with a marker saying how much was cut", () => {
    const text = Array.from({ length: 1000 }, (_, i) => `line ${i}`).join("\n");
    const cut = headTail(text, 500);
    expect(cut.length).toBeLessThanOrEqual(520);
    expect(cut.startsWith("line 0\nline 1")).toBe(true);
    expect(cut.endsWith("line 999")).toBe(true);
    expect(cut).toMatch(/\n\[… \d+ characters truncated …\]\n/);
    expect(headTail("short", 500)).toBe("short");
  });
});

describe("compaction", () => {
  const turn = (i: number): ChatMessage[] => [
    {
      role: "assistant",
      content: "",
      toolCalls: [{ id: `c${i}`, name: "write_file", arguments: JSON.stringify({ path: `f${i}.js`, content: "x".repeat(5000) }) }],
    },
    { role: "tool", toolCallId: `c${i}`, name: "write_file", content: `wrote f${i}.js\n${"detail ".repeat(400)}` },
  ];
  const messages: ChatMessage[] = [
    { role: "system", content: "sys" },
    { role: "user", content: `# Task\n${"upstream ".repeat(500)}` },
    ...turn(1),
    ...turn(2),
    ...turn(3),
  ];
  const summaries = { c1: "write_file: wrote f1.js (1 lines)", c2: "write_file: wrote f2.js (1 lines)" };

  it("summarises old tool results into one line each and keeps the last N turns and the first turn intact", () => {
    const out = compactMessages(messages, summaries, 1);
    expect(out[0]).toEqual(messages[0]);
    expect(out[1]).toEqual(messages[1]);
    expect(out[3]).toMatchObject({ role: "tool", content: "[compacted] write_file: wrote f1.js (1 lines)" });
    expect(out[5]).toMatchObject({ content: "[compacted] write_file: wrote f2.js (1 lines)" });
    expect(out[2]).toMatchObject({ toolCalls: [{ arguments: '{"path":"f1.js","content":"[compacted: 5000 characters]"}' }] });
    expect(out.slice(6)).toEqual(messages.slice(6));
    expect(estimateTokens(out)).toBeLessThan(estimateTokens(messages) / 2);
  });

  it("is a no-op when there are no more turns than it keeps", () => {
    expect(compactMessages(messages, summaries, 3)).toEqual(messages);
  });
});

describe("MemoryWorkspace", () => {
  it("versions every mutation and reports changed paths since a version", async () => {
    const ws = new MemoryWorkspace({ "a.js": "1" });
    expect(await ws.version()).toBe(0);
    await ws.write("b.js", "2");
    const v = await ws.version();
    await ws.write("a.js", "11");
    await ws.delete("b.js");
    expect(await ws.delete("nope")).toBe(false);
    expect(await ws.version()).toBe(3);
    expect(await ws.changesSince(v)).toEqual(["a.js", "b.js"]);
    expect(await ws.list()).toEqual([{ path: "a.js", bytes: 2 }]);
    const copy = MemoryWorkspace.fromJSON(JSON.parse(JSON.stringify(ws.toJSON())));
    expect(await copy.snapshot()).toEqual(await ws.snapshot());
    expect(await copy.version()).toBe(3);
  });
});
