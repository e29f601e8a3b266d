import type { ChatMessage, CompletionRequest, ToolCall } from "../llm/types";

/** One file the offline generator wrote for a role. */
export interface GeneratedFile {
  path: string;
  content: string;
}

/** A turn of the scripted agent: its tool calls (or, at the end, none with a closing text). */
export interface ScriptedTurn {
  text: string;
  toolCalls: ToolCall[];
}

const lastAssistant = (messages: readonly ChatMessage[]) => {
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i]!;
    if (m.role === "assistant") return { turn: m, index: i };
  }
  return null;
};

/** The tool results that answered the assistant turn at `index`. */
const resultsAfter = (messages: readonly ChatMessage[], index: number) =>
  messages.slice(index + 1).flatMap((m) => (m.role === "tool" ? [m] : []));

/**
 * The offline provider as an agent, not a template: it works through the same tools a model gets —
 * writes the generated project's files, runs the tests in the sandbox and finishes, saying "done"
 * only when that run passed. Deterministic: each turn follows from the conversation so far, so a
 * resumed loop continues where it was. No AI: the files come from the offline generator.
 */
export function scriptedTurn(req: CompletionRequest, summary: string, files: readonly GeneratedFile[]): ScriptedTurn {
  const call = (n: number, name: string, args: unknown): ToolCall => ({
    id: `offline-${name}-${n}`,
    name,
    arguments: JSON.stringify(args),
  });
  const tools = new Set((req.tools ?? []).map((t) => t.name));
  const last = lastAssistant(req.messages);
  const steps = req.messages.filter((m) => m.role === "assistant").length;
  const finish = (status: "done" | "tests_failing", note: string): ScriptedTurn => ({
    text: "",
    toolCalls: [call(steps, "finish", { summary, status, notes: `offline provider — no AI. ${note}` })],
  });
  if (!last || !last.turn.toolCalls?.length) {
    return { text: "", toolCalls: files.map((f, i) => call(i, "write_file", { path: f.path, content: f.content })) };
  }
  const names = last.turn.toolCalls.map((c) => c.name);
  const results = resultsAfter(req.messages, last.index);
  if (names.includes("write_file")) {
    const refused = results.filter((r) => r.isError || r.content.startsWith("ERROR"));
    // A write the checks refused is not retried blindly: the generator's files are what they are.
    if (refused.length > 0) return finish("tests_failing", `${refused.length} file(s) were refused: ${refused[0]!.content.slice(0, 300)}`);
    return tools.has("run")
      ? { text: "", toolCalls: [call(steps, "run", { command: "test" })] }
      : finish("done", "no run tool: tests not run here");
  }
  if (names.includes("run")) {
    const run = results[0];
    if (!run) return finish("tests_failing", "the test run gave no result");
    if (/no sandbox/i.test(run.content)) return finish("done", "no sandbox in this task: QA runs the tests");
    const failed = run.isError === true || run.content.startsWith("ERROR");
    return failed
      ? finish("tests_failing", `the tests failed: ${run.content.slice(0, 300)}`)
      : finish("done", "the tests passed in the sandbox");
  }
  // finish was refused (e.g. "done" after a failing run): say so honestly.
  return finish("tests_failing", "finish was refused");
}
