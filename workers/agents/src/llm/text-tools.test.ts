import { describe, expect, it } from "vitest";
import { isToolsUnsupportedMessage, parseTextToolCalls, textProtocolMessages } from "./text-tools";

let n = 0;
const ids = () => `call_${++n}`;

describe("text tool protocol", () => {
  it("parses fenced tool_call blocks into calls and leaves the prose", () => {
    n = 0;
    const reply =
      'I will read it.\n\n```tool_call\n{"name": "read_file", "arguments": {"path": "src/a.ts"}}\n```\n```tool_call\n{"name":"run","arguments":{}}\n```';
    expect(parseTextToolCalls(reply, ids)).toEqual({
      text: "I will read it.",
      toolCalls: [
        { id: "call_1", name: "read_file", arguments: '{"path":"src/a.ts"}' },
        { id: "call_2", name: "run", arguments: "{}" },
      ],
    });
  });

  it("keeps a malformed block as a call with its raw text, so the loop can answer with a tool error", () => {
    n = 0;
    const r = parseTextToolCalls('```tool_call\n{"name": "write_file", "arguments": {"path": "a.ts", "content": "x}\n```', ids);
    expect(r.toolCalls).toEqual([
      { id: "call_1", name: "write_file", arguments: '{"name": "write_file", "arguments": {"path": "a.ts", "content": "x}' },
    ]);
  });

  it("leaves other code fences alone", () => {
    const reply = "Here:\n```ts\nconst a = 1;\n```";
    expect(parseTextToolCalls(reply, ids)).toEqual({ text: reply, toolCalls: [] });
  });

  it("rewrites tool turns: tools described in the system prompt, calls as blocks, results as user turns", () => {
    const out = textProtocolMessages({
      model: "m",
      tools: [{ name: "run", description: "Run the tests", parameters: { type: "object", properties: {} } }],
      toolChoice: "required",
      messages: [
        { role: "system", content: "You are the engineer." },
        { role: "user", content: "Fix it." },
        { role: "assistant", content: "", toolCalls: [{ id: "c1", name: "run", arguments: "{}" }] },
        { role: "tool", toolCallId: "c1", name: "run", content: "1 failed", isError: true },
      ],
    });
    expect(out.map((m) => m.role)).toEqual(["system", "user", "assistant", "user"]);
    expect(out[0]!.content).toContain("You are the engineer.");
    expect(out[0]!.content).toContain('- run: Run the tests\n  arguments (JSON Schema): {"type":"object","properties":{}}');
    expect(out[0]!.content).toContain("You must call at least one tool");
    expect(out[2]!.content).toBe('```tool_call\n{"name":"run","arguments":{}}\n```');
    expect(out[3]!.content).toBe("Result of tool call run (id c1) — the call FAILED:\n1 failed");
  });

  it("recognises the vendors' 'no tools' errors", () => {
    expect(isToolsUnsupportedMessage("openai returned HTTP 400: registry.ollama.ai/library/gemma:2b does not support tools")).toBe(true);
    expect(isToolsUnsupportedMessage('"auto" tool choice requires --enable-auto-tool-choice and --tool-call-parser to be set')).toBe(true);
    expect(isToolsUnsupportedMessage("tools param requires --jinja flag")).toBe(true);
    expect(isToolsUnsupportedMessage("Invalid 'messages[2]': missing tool_call_id")).toBe(false);
  });
});
