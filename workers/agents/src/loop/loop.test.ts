import { describe, expect, it } from "vitest";
import type { ChatMessage } from "../llm/types";
import { APP_SOURCE, SLIP_LINE, TEST_SOURCE } from "../sim/project";
import { LoopEvent } from "./events";
import { LoopState } from "./state";
import { runScenario, type ScenarioRun } from "./testing/run-scenario";

function toolResults(messages: ChatMessage[]): Extract<ChatMessage, { role: "tool" }>[] {
  return messages.filter((m): m is Extract<ChatMessage, { role: "tool" }> => m.role === "tool");
}

/** Invariants every run must keep, whatever the scenario. */
function expectHonest(run: ScenarioRun, caps: { maxSteps?: number } = {}): void {
  for (const e of run.events) LoopEvent.parse(e);
  const stopped = run.events.filter((e) => e.type === "loop.stopped");
  expect(stopped).toHaveLength(1);
  expect(stopped[0]).toMatchObject({ reason: run.result.stopReason, steps: run.result.steps });
  expect(run.result.steps).toBeLessThanOrEqual(caps.maxSteps ?? 30);
  expect(run.budget.spentUsd()).toBeCloseTo(run.result.costUsd, 12);
  expect(run.budget.reservedUsd()).toBeCloseTo(0, 12);
  expect(run.events.filter((e) => e.type === "loop.step")).toHaveLength(run.result.steps);
  expect(run.checkpoints.length).toBeGreaterThanOrEqual(run.result.steps);
  for (const c of run.checkpoints) LoopState.parse(c);
}

describe("agent loop with simulated models (in process, real node --test runs)", () => {
  it("good: writes the project, runs the tests, finishes", async () => {
    const run = await runScenario("good");
    expectHonest(run);
    expect(run.result).toMatchObject({ stopReason: "finished", steps: 4, finish: { status: "done" } });
    expect(await run.workspace.read("src/app.js")).toBe(APP_SOURCE);
    expect(await run.workspace.read("test/app.test.js")).toBe(TEST_SOURCE);
    const first = run.provider.requests[0]!;
    expect(first.tools?.map((t) => t.name)).toContain("edit_file");
    expect(first.messages[1]?.content).toMatch(/# PRD\nUsers can list items/);
    expect(first.messages[1]?.content).toMatch(/The project is empty/);
    const step2 = run.events.find((e) => e.type === "loop.step" && e.step === 2);
    expect(step2).toMatchObject({ changedPaths: ["src/app.js", "test/app.test.js"], workspaceVersion: 2 });
    expect(run.result.costUsd).toBeGreaterThan(0);
  });

  it("slip: converges, and the fix was made having seen the file's content and the failing output", async () => {
    const run = await runScenario("slip");
    expectHonest(run);
    expect(run.result).toMatchObject({ stopReason: "finished", finish: { status: "done" } });
    expect(await run.workspace.read("src/app.js")).toBe(APP_SOURCE);
    const fixing = run.provider.requests.find((r) => {
      const last = r.messages.at(-1);
      return last?.role === "tool" && last.name === "read_file";
    })!;
    const results = toolResults(fixing.messages);
    expect(results.some((t) => t.name === "read_file" && t.content.includes(SLIP_LINE))).toBe(true);
    expect(results.some((t) => t.name === "run" && /expected: 201/.test(t.content) && /actual: 200/.test(t.content))).toBe(true);
    const names = run.result.state.messages.flatMap((m) => (m.role === "assistant" ? (m.toolCalls ?? []).map((c) => c.name) : []));
    expect(names).toEqual(["write_file", "write_file", "run", "read_file", "edit_file", "run", "finish"]);
  });

  it("slip cannot fix what it was not shown: with tool output cut to 200 characters it finishes honestly with tests_failing", async () => {
    const run = await runScenario("slip", { caps: { maxToolOutputChars: 200 } });
    expectHonest(run);
    expect(run.result).toMatchObject({ stopReason: "tests_failing", finish: { status: "tests_failing" } });
    const read = toolResults(run.result.state.messages).find((t) => t.name === "read_file");
    expect(read?.content).toMatch(/characters truncated/);
    expect(read?.content).not.toContain(SLIP_LINE);
  });

  it("malformed_args: the model gets a tool error about the JSON and recovers", async () => {
    const run = await runScenario("malformed_args");
    expectHonest(run);
    expect(run.result.stopReason).toBe("finished");
    const first = toolResults(run.result.state.messages)[0]!;
    expect(first).toMatchObject({ isError: true, name: "write_file" });
    expect(first.content).toMatch(/not valid JSON/);
  });

  it("prose_json: a reply without tool calls gets a nudge, then the model uses the tools", async () => {
    const run = await runScenario("prose_json");
    expectHonest(run);
    expect(run.result.stopReason).toBe("finished");
    expect(run.events.filter((e) => e.type === "loop.notice" && e.kind === "no_tool_call")).toHaveLength(1);
  });

  it("truncated: continues once with a raised output cap and finishes", async () => {
    const run = await runScenario("truncated");
    expectHonest(run);
    expect(run.result.stopReason).toBe("finished");
    const notice = run.events.find((e) => e.type === "loop.notice" && e.kind === "max_tokens_continue");
    expect(notice && notice.type === "loop.notice" ? notice.message : "").toMatch(
      /cut off at the output limit \(4096 tokens\); the limit is now 8192/,
    );
    expect(run.provider.requests.map((r) => r.maxTokens).slice(0, 2)).toEqual([4096, 8192]);
  });

  it("truncated with a cap that cannot be raised: stops with 'truncated' after one continuation", async () => {
    const run = await runScenario("truncated", { caps: { maxOutputTokens: 4096, maxOutputTokensCeiling: 4096 } });
    expectHonest(run);
    expect(run.result).toMatchObject({ stopReason: "truncated", steps: 2 });
    expect(await run.workspace.list()).toEqual([]);
  });

  it("rate_limited: the provider's retries honour retry-after and the task finishes", async () => {
    const run = await runScenario("rate_limited");
    expectHonest(run);
    expect(run.result.stopReason).toBe("finished");
    // Two 429s, each retried: 4 steps, 6 requests.
    expect(run.provider.requests).toHaveLength(6);
  });

  it("rate_limited without retries: provider_error, and the failed call costs nothing", async () => {
    const run = await runScenario("rate_limited", { resilient: false });
    expectHonest(run);
    expect(run.result).toMatchObject({ stopReason: "provider_error", steps: 0, costUsd: 0 });
    expect(run.result.detail).toMatch(/openai failed \(rate_limited\): openai HTTP 429/);
  });

  it("never_finishes: no_progress once reads repeat, or step_cap when that comes first", async () => {
    const run = await runScenario("never_finishes");
    expectHonest(run);
    expect(run.result).toMatchObject({ stopReason: "no_progress", steps: 12 });
    const capped = await runScenario("never_finishes", { caps: { maxSteps: 6 } });
    expectHonest(capped, { maxSteps: 6 });
    expect(capped.result).toMatchObject({ stopReason: "step_cap", steps: 6 });
  });

  it("same_failing_edit: the loop breaker stops the re-applied edit without applying it", async () => {
    const run = await runScenario("same_failing_edit");
    expectHonest(run);
    expect(run.result.stopReason).toBe("repeated_failure");
    expect(run.result.detail).toMatch(/edit_file re-applied the same change first applied at step 3/);
    expect(run.result.steps).toBe(5);
  });

  it("placeholder: every elided write is refused, the same failure three times stops the loop, the file stays whole", async () => {
    const run = await runScenario("placeholder");
    expectHonest(run);
    expect(run.result).toMatchObject({ stopReason: "repeated_failure", steps: 5 });
    expect(run.result.detail).toMatch(/the same failure 3 times: write src\/app.js refused/);
    expect(await run.workspace.read("src/app.js")).toBe(APP_SOURCE);
  });
});

describe("caps: checked before each call, never overrun", () => {
  it("budget: stops before the call the project budget cannot cover", async () => {
    const run = await runScenario("good", { budgetUsd: 0.0015, caps: { maxOutputTokens: 1024 } });
    expectHonest(run);
    expect(run.result).toMatchObject({ stopReason: "budget", steps: 2 });
    expect(run.result.detail).toMatch(/the project budget cannot cover the next call/);
    expect(run.budget.spentUsd()).toBeLessThanOrEqual(0.0015);
    expect(run.result.steps).toBeLessThan(4);
    expect(run.result.steps).toBeGreaterThan(0);
  });

  it("per-task USD cap", async () => {
    const run = await runScenario("good", { caps: { maxUsd: 0.001 } });
    expect(run.result.stopReason).toBe("budget");
    expect(run.result.costUsd).toBeLessThanOrEqual(0.001);
  });

  it("token cap", async () => {
    const run = await runScenario("good", { caps: { maxTokens: 9000 } });
    expectHonest(run);
    expect(run.result.stopReason).toBe("token_cap");
    expect(run.result.inputTokens + run.result.outputTokens).toBeLessThanOrEqual(9000);
  });

  it("wall time (a clock that advances a minute per reading)", async () => {
    let t = 0;
    const run = await runScenario("good", { caps: { maxWallMs: 5 * 60_000 }, now: () => (t += 60_000) });
    expect(run.result.stopReason).toBe("wall_time");
    expect(run.result.steps).toBeLessThan(4);
  });
});

describe("resume after eviction", () => {
  it("3 steps, serialise, resume in a fresh loop: the same end result as an uninterrupted run", async () => {
    const whole = await runScenario("slip");
    const cut = await runScenario("slip", { caps: { maxSteps: 3 } });
    expect(cut.result).toMatchObject({ stopReason: "step_cap", steps: 3 });
    // What an executor persists: the checkpoint after step 3 (not the stopped one) and the workspace.
    const saved = JSON.stringify({ state: cut.checkpoints.find((c) => c.step === 3 && !c.stopped), ws: cut.workspace.toJSON() });
    const { MemoryWorkspace } = await import("./workspace");
    const { runAgentLoop } = await import("./loop");
    const { SimProvider } = await import("../sim/provider");
    const { sandboxCommandRunner } = await import("./runner");
    const { localTestSandbox } = await import("./testing/local-test-runner");
    const { fixedBudget } = await import("./caps");
    const { SIM_PRICES } = await import("./testing/run-scenario");
    const restored = JSON.parse(saved) as { state: LoopState; ws: ReturnType<typeof cut.workspace.toJSON> };
    const workspace = MemoryWorkspace.fromJSON(restored.ws);
    const resumed = await runAgentLoop({
      provider: new SimProvider("slip"),
      model: "sim-model",
      system: "ignored on resume",
      user: "ignored on resume",
      workspace,
      runner: sandboxCommandRunner(localTestSandbox),
      budget: fixedBudget(1),
      prices: SIM_PRICES,
      emit: () => undefined,
      resume: LoopState.parse(restored.state),
    });
    expect(resumed.stopReason).toBe(whole.result.stopReason);
    expect(resumed.steps).toBe(whole.result.steps);
    // Run outputs carry durations and temp paths, so token counts may differ by a few.
    expect(Math.abs(resumed.inputTokens - whole.result.inputTokens)).toBeLessThan(40);
    expect(resumed.outputTokens).toBe(whole.result.outputTokens);
    expect(await workspace.snapshot()).toEqual(await whole.workspace.snapshot());
    const normal = (m: ChatMessage): string => m.content.replace(/proximus-loop-\w+/g, "DIR").replace(/\d+(\.\d+)?/g, "N");
    expect(resumed.state.messages.map(normal)).toEqual(whole.result.state.messages.map(normal));
  });
});

describe("context management in the loop", () => {
  it("compacts old tool results when the conversation nears the window, keeping the first turn and recent turns", async () => {
    const run = await runScenario("never_finishes", { contextWindow: 5000, caps: { keepRecentTurns: 2, maxOutputTokens: 1024 } });
    expect(run.events.some((e) => e.type === "loop.notice" && e.kind === "compacted")).toBe(true);
    const last = run.provider.requests.at(-1)!;
    expect(last.messages[1]?.content).toMatch(/^# Task/);
    const compacted = toolResults(last.messages).filter((t) => t.content.startsWith("[compacted] "));
    expect(compacted.length).toBeGreaterThan(0);
    expect(compacted.some((t) => t.content === "[compacted] read_file: read src/app.js lines 1-20 of 20")).toBe(true);
    // The last two turns are intact.
    expect(toolResults(last.messages).slice(-1)[0]?.content).not.toMatch(/^\[compacted\]/);
    const oldWrite = last.messages.find((m) => m.role === "assistant" && m.toolCalls?.[0]?.name === "write_file");
    expect(oldWrite && oldWrite.role === "assistant" ? oldWrite.toolCalls?.[0]?.arguments : "").toMatch(
      /"content":"\[compacted: \d+ characters\]"/,
    );
  });
});
