import { describe, expect, it } from "vitest";
import { AppError } from "@proximus/contracts/errors";
import type { CompletionRequest, CompletionResult, LlmProvider } from "../llm/types";
import { fixedBudget } from "./caps";
import type { LoopEvent } from "./events";
import { runAgentLoop } from "./loop";
import { MemoryWorkspace } from "./workspace";

/** A provider that answers from a list; only for the stop reasons no simulator scenario covers. */
function scripted(answers: (Partial<CompletionResult> | Error)[]): LlmProvider & { seen: CompletionRequest[] } {
  const seen: CompletionRequest[] = [];
  return {
    name: "openai",
    seen,
    async complete(req) {
      seen.push(req);
      const a = answers[Math.min(seen.length - 1, answers.length - 1)]!;
      if (a instanceof Error) throw a;
      return { provider: "openai", model: req.model, text: "", inputTokens: 10, outputTokens: 5, ...a };
    },
  };
}

async function loopWith(provider: LlmProvider) {
  const events: LoopEvent[] = [];
  const result = await runAgentLoop({
    provider,
    model: "gpt-4o-mini",
    system: "s",
    user: "u",
    workspace: new MemoryWorkspace(),
    runner: null,
    budget: fixedBudget(1),
    emit: (e) => events.push(e),
  });
  return { result, events };
}

describe("stop reasons from the model and the provider", () => {
  it("content_filter stops at once", async () => {
    const { result } = await loopWith(scripted([{ stopReason: "content_filter", rawStopReason: "guardrail_intervened" }]));
    expect(result).toMatchObject({ stopReason: "content_filter", steps: 1 });
    expect(result.detail).toMatch(/guardrail_intervened/);
  });

  it("a provider error after its own retries stops with provider_error and names the code", async () => {
    const { result } = await loopWith(scripted([new AppError("upstream_failed", "openai HTTP 503: overloaded")]));
    expect(result).toMatchObject({ stopReason: "provider_error", steps: 0 });
    expect(result.detail).toBe("openai failed (upstream_failed): openai HTTP 503: overloaded");
  });

  it("three prose replies in a row are no_progress", async () => {
    const p = scripted([{ text: "I think we should plan first.", stopReason: "end" }]);
    const { result, events } = await loopWith(p);
    expect(result).toMatchObject({ stopReason: "no_progress", steps: 3 });
    expect(events.filter((e) => e.type === "loop.notice")).toHaveLength(3);
    expect(p.seen[1]?.messages.at(-1)).toMatchObject({ role: "user", content: expect.stringMatching(/no tool call/) });
  });

  it("an exact repeat of a failing call three times is repeated_failure", async () => {
    const bad = { toolCalls: [{ id: "x", name: "read_file", arguments: '{"path":"missing.js"}' }], stopReason: "tool_calls" as const };
    const { result } = await loopWith(scripted([bad]));
    expect(result).toMatchObject({ stopReason: "repeated_failure", steps: 3 });
  });

  it("a resumed stopped state returns at once without calling the model", async () => {
    const first = await loopWith(scripted([{ stopReason: "content_filter" }]));
    const p = scripted([{ stopReason: "end" }]);
    const again = await runAgentLoop({
      provider: p,
      model: "m",
      system: "s",
      user: "u",
      workspace: new MemoryWorkspace(),
      runner: null,
      budget: fixedBudget(1),
      emit: () => undefined,
      resume: first.result.state,
    });
    expect(again.stopReason).toBe("content_filter");
    expect(p.seen).toHaveLength(0);
  });
});

describe("the same failing test run", () => {
  it("three identical failing runs are repeated_failure; a different failure message is a different failure", async () => {
    const { MemoryWorkspace: Ws } = await import("./workspace");
    const { sandboxCommandRunner } = await import("./runner");
    const { localTestSandbox } = await import("./testing/local-test-runner");
    const { APP_SLIP, TEST_SOURCE, SLIP_LINE, WRONG_FIX_LINE } = await import("../sim/project");
    const runCall = { toolCalls: [{ id: "r", name: "run", arguments: '{"command":"test"}' }], stopReason: "tool_calls" as const };
    const edit = (search: string, replace: string) => ({
      toolCalls: [{ id: "e", name: "edit_file", arguments: JSON.stringify({ path: "src/app.js", search, replace }) }],
      stopReason: "tool_calls" as const,
    });
    const base = {
      model: "gpt-4o-mini",
      system: "s",
      user: "u",
      runner: sandboxCommandRunner(localTestSandbox),
      budget: fixedBudget(1),
      emit: () => undefined,
    };
    // run, (re-run), (re-run): the same failure three times.
    const same = await runAgentLoop({
      ...base,
      provider: scripted([runCall]),
      workspace: new Ws({ "src/app.js": APP_SLIP, "test/app.test.js": TEST_SOURCE }),
    });
    expect(same).toMatchObject({ stopReason: "repeated_failure", steps: 3 });
    // run (200), edit to 202, run (202), edit back to 200, run (200 again: second time), then the loop keeps going.
    const answers = [
      runCall,
      edit(SLIP_LINE, WRONG_FIX_LINE),
      runCall,
      edit(WRONG_FIX_LINE, SLIP_LINE),
      runCall,
      { stopReason: "content_filter" as const },
    ];
    const varied = await runAgentLoop({
      ...base,
      provider: scripted(answers),
      workspace: new Ws({ "src/app.js": APP_SLIP, "test/app.test.js": TEST_SOURCE }),
    });
    expect(varied).toMatchObject({ stopReason: "content_filter", steps: 6 });
  });
});

describe("tool call ids", () => {
  it("empty or repeated ids from a compatible server are made unique, so every tool turn answers its own call", async () => {
    const twoCalls = {
      toolCalls: [
        { id: "", name: "list_files", arguments: "{}" },
        { id: "", name: "read_file", arguments: '{"path":"a.js"}' },
      ],
      stopReason: "tool_calls" as const,
    };
    const p = scripted([twoCalls, { stopReason: "content_filter" }]);
    await loopWith(p);
    const sent = p.seen[1]!.messages;
    const assistant = sent.find((m) => m.role === "assistant");
    const ids = assistant && assistant.role === "assistant" ? (assistant.toolCalls ?? []).map((c) => c.id) : [];
    expect(ids).toEqual(["call_1_0", "call_1_1"]);
    expect(sent.filter((m) => m.role === "tool").map((m) => (m.role === "tool" ? m.toolCallId : ""))).toEqual(ids);
  });

  it("the system prompt gets the tool rules unless asked not to", async () => {
    const p = scripted([{ stopReason: "content_filter" }]);
    await loopWith(p);
    expect(p.seen[0]!.messages[0]?.content).toMatch(/^s\n\nHow you work:\n- Act only through tool calls/);
  });
});

describe("wall time during a call", () => {
  const hanging: LlmProvider = {
    name: "openai",
    complete: (req) =>
      new Promise((_, reject) => {
        req.signal?.addEventListener("abort", () => reject(new AppError("timeout", "aborted")), { once: true });
      }),
  };
  const base = { model: "m", system: "s", user: "u", runner: null, budget: fixedBudget(1), emit: () => undefined };

  it("a call still running at the wall-time cap is aborted and the loop stops with wall_time", async () => {
    const t0 = Date.now();
    const result = await runAgentLoop({ ...base, provider: hanging, workspace: new MemoryWorkspace(), caps: { maxWallMs: 150 } });
    expect(result.stopReason).toBe("wall_time");
    expect(result.detail).toMatch(/cut off at the wall-time cap of 150 ms/);
    expect(Date.now() - t0).toBeLessThan(2000);
  });

  it("an unbounded wall time is allowed", async () => {
    const result = await runAgentLoop({
      ...base,
      provider: scripted([{ stopReason: "content_filter" }]),
      workspace: new MemoryWorkspace(),
      caps: { maxWallMs: Number.POSITIVE_INFINITY },
    });
    expect(result.stopReason).toBe("content_filter");
  });

  it("the caller's abort propagates (the executor resumes from the last checkpoint)", async () => {
    const ac = new AbortController();
    const pending = runAgentLoop({ ...base, provider: hanging, workspace: new MemoryWorkspace(), signal: ac.signal });
    setTimeout(() => ac.abort(new Error("evicted")), 50);
    await expect(pending).rejects.toThrow();
  });
});
