import { AppError } from "@proximus/contracts/errors";
import { costUsd, type PriceTable } from "../llm/prices";
import type { ChatMessage, CompletionResult, LlmProvider, ToolCall } from "../llm/types";
import { DEFAULT_CAPS, type BudgetGate, type LoopCaps } from "./caps";
import { TOOL_RULES, compactMessages, estimateTokens, firstUserTurn, type UpstreamDocument } from "./context";
import type { LoopEvent } from "./events";
import type { Runner } from "./runner";
import { LoopState, type FinishClaim } from "./state";
import { runToolCalls } from "./step";
import type { LoopStopReason } from "./stop-reasons";
import { ENGINEER_TOOLS, toolSpec } from "./tools";
import type { AnyTool } from "./tools/types";
import type { Workspace } from "./workspace";
import type { WriteCheckOptions } from "./write-checks";

export interface AgentLoopInput {
  provider: LlmProvider;
  model: string;
  system: string;
  /** The task in words; the first user turn adds the upstream documents and the project map. */
  user: string;
  documents?: UpstreamDocument[];
  tools?: readonly AnyTool[];
  workspace: Workspace;
  runner: Runner | null;
  caps?: Partial<LoopCaps>;
  /** The model's context window in tokens (the router knows it per model). */
  contextWindow?: number;
  budget: BudgetGate;
  emit: (event: LoopEvent) => void;
  /** Called after every step with a state `runAgentLoop({resume})` can continue from. */
  checkpoint?: (state: LoopState) => Promise<void> | void;
  resume?: LoopState;
  prices?: PriceTable;
  /**
   * Worst-case price of a call before it is made, for the reservation. Default: the provider's own
   * price for `model`. A router (which picks the model per call) passes its most expensive candidate.
   */
  reservePrice?: (inputTokens: number, outputTokens: number) => number;
  writeChecks?: WriteCheckOptions;
  temperature?: number;
  now?: () => number;
  /** false: do not append TOOL_RULES (how to work with the tools) to the system prompt. */
  appendRules?: boolean;
  /** The executor's own signal (shutdown); an abort propagates as an error, the checkpoint resumes it. */
  signal?: AbortSignal;
}

export interface AgentLoopResult {
  stopReason: LoopStopReason;
  detail: string;
  finish?: FinishClaim;
  steps: number;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  elapsedMs: number;
  state: LoopState;
}

export const DEFAULT_CONTEXT_WINDOW = 128_000;

function freshState(messages: ChatMessage[], caps: LoopCaps): LoopState {
  return {
    v: 1,
    messages,
    toolSummaries: {},
    step: 0,
    inputTokens: 0,
    outputTokens: 0,
    costUsd: 0,
    elapsedMs: 0,
    maxOutputTokens: caps.maxOutputTokens,
    truncations: 0,
    noToolReplies: 0,
    idleSteps: 0,
    failureCounts: {},
    appliedEdits: {},
    seenReads: [],
    lastRuns: {},
    compactions: 0,
  };
}

const NO_TOOL_NUDGE =
  "Your reply contained no tool call, so nothing happened. Act only through the tools: write files with write_file or edit_file, " +
  "run the tests with run, and end with finish. Do not put code or JSON for a tool in your text.";

/**
 * The agent loop: model → tool calls → tool results → model …, until `finish`, a cap or a loop
 * breaker. Never throws for anything the model or the provider does (that is a stop reason);
 * throws only when the caller aborts or the checkpoint hook fails.
 */
export async function runAgentLoop(input: AgentLoopInput): Promise<AgentLoopResult> {
  const caps: LoopCaps = { ...DEFAULT_CAPS, ...input.caps };
  const now = input.now ?? Date.now;
  const tools = input.tools ?? ENGINEER_TOOLS;
  const specs = tools.map(toolSpec);
  const specChars = JSON.stringify(specs).length;
  const contextWindow = input.contextWindow ?? DEFAULT_CONTEXT_WINDOW;
  const price = (i: number, o: number): number => costUsd(input.provider.name, input.model, i, o, input.prices);
  const started = now();

  const state: LoopState = input.resume
    ? LoopState.parse(structuredClone(input.resume))
    : freshState(
        [
          { role: "system", content: input.appendRules === false ? input.system : `${input.system}\n\n${TOOL_RULES}` },
          { role: "user", content: firstUserTurn(input.user, input.documents ?? [], await input.workspace.snapshot()) },
        ],
        caps,
      );
  const elapsed = (): number => state.elapsedMs + (now() - started);

  const stop = async (reason: LoopStopReason, detail: string, finish?: FinishClaim): Promise<AgentLoopResult> => {
    state.stopped = { reason, detail, ...(finish ? { finish } : {}) };
    const elapsedMs = elapsed();
    state.elapsedMs = elapsedMs;
    await input.checkpoint?.(structuredClone(state));
    input.emit({
      type: "loop.stopped",
      reason,
      detail,
      steps: state.step,
      totalInputTokens: state.inputTokens,
      totalOutputTokens: state.outputTokens,
      totalCostUsd: state.costUsd,
      elapsedMs,
      ...(finish ? { finish } : {}),
    });
    return result(state, elapsedMs);
  };

  if (state.stopped) return result(state, state.elapsedMs);

  for (;;) {
    input.signal?.throwIfAborted();
    if (state.step >= caps.maxSteps) return stop("step_cap", `stopped after ${state.step} steps (cap ${caps.maxSteps}) without finishing`);
    if (elapsed() >= caps.maxWallMs) return stop("wall_time", `wall time ${elapsed()} ms reached the cap of ${caps.maxWallMs} ms`);

    // Compact before the prompt nears the window: old tool results become one line each.
    if (estimateTokens(state.messages, specChars) + state.maxOutputTokens > contextWindow * caps.compactAt) {
      const before = estimateTokens(state.messages, specChars);
      for (let keep = caps.keepRecentTurns; keep >= 1; keep--) {
        state.messages = compactMessages(state.messages, state.toolSummaries, keep);
        if (estimateTokens(state.messages, specChars) + state.maxOutputTokens <= contextWindow * caps.compactAt) break;
      }
      const after = estimateTokens(state.messages, specChars);
      if (after < before) state.compactions++;
      if (after < before)
        input.emit({
          type: "loop.notice",
          step: state.step,
          kind: "compacted",
          message: `conversation compacted from ~${before} to ~${after} tokens`,
        });
    }

    // Worst case of the next call, reserved before it is made: the whole prompt plus the full output cap.
    const estIn = estimateTokens(state.messages, specChars);
    const estOut = state.maxOutputTokens;
    if (state.inputTokens + state.outputTokens + estIn + estOut > caps.maxTokens) {
      return stop(
        "token_cap",
        `the next call (~${estIn + estOut} tokens) would pass the task's cap of ${caps.maxTokens} tokens ` +
          `(used ${state.inputTokens + state.outputTokens})`,
      );
    }
    const reserve = (input.reservePrice ?? price)(estIn, estOut);
    if (state.costUsd + reserve > caps.maxUsd) {
      return stop(
        "budget",
        `the next call (up to $${reserve.toFixed(4)}) would pass the task's cap of $${caps.maxUsd} (spent $${state.costUsd.toFixed(4)})`,
      );
    }
    if (!(await input.budget.reserve(reserve))) {
      return stop("budget", `the project budget cannot cover the next call (up to $${reserve.toFixed(4)})`);
    }

    let res: CompletionResult;
    // setTimeout-based: at most ~24.8 days, a whole number of ms.
    const wall = AbortSignal.timeout(Math.min(2_147_483_647, Math.max(1, Math.ceil(caps.maxWallMs - elapsed()))));
    const signal = input.signal ? AbortSignal.any([input.signal, wall]) : wall;
    try {
      res = await input.provider.complete({
        model: input.model,
        messages: state.messages,
        tools: specs,
        toolChoice: "auto",
        maxTokens: state.maxOutputTokens,
        ...(input.temperature === undefined ? {} : { temperature: input.temperature }),
        signal,
      });
    } catch (e) {
      await input.budget.settle(reserve, 0);
      if (input.signal?.aborted) throw e;
      if (wall.aborted) return stop("wall_time", `the model call was cut off at the wall-time cap of ${caps.maxWallMs} ms`);
      const code = e instanceof AppError ? e.code : "internal";
      return stop("provider_error", `${input.provider.name} failed (${code}): ${e instanceof Error ? e.message : String(e)}`);
    }
    // A router answers with the cost of the model it really used.
    const cost = res.costUsd ?? price(res.inputTokens, res.outputTokens);
    await input.budget.settle(reserve, cost);
    state.inputTokens += res.inputTokens;
    state.outputTokens += res.outputTokens;
    state.costUsd += cost;
    state.step++;
    const versionBefore = await input.workspace.version();
    const calls = res.stopReason === "max_tokens" ? [] : withUniqueIds(res.toolCalls ?? [], state.step);
    const stepEvent = {
      type: "loop.step" as const,
      step: state.step,
      modelStop: res.stopReason ?? "end",
      text: res.text.slice(0, 500),
      inputTokens: res.inputTokens,
      outputTokens: res.outputTokens,
      costUsd: cost,
    };
    const endStep = async (records: { id: string; name: string; ok: boolean; summary: string }[]): Promise<void> => {
      const changedPaths = await input.workspace.changesSince(versionBefore);
      if (changedPaths.length) await input.workspace.endStep?.(state.step, changedPaths);
      input.emit({ ...stepEvent, toolCalls: records, changedPaths, workspaceVersion: await input.workspace.version() });
      await input.checkpoint?.(structuredClone({ ...state, elapsedMs: elapsed() }));
    };

    if (res.stopReason === "content_filter") {
      await endStep([]);
      return stop("content_filter", `the model's reply was filtered (${res.rawStopReason ?? "content_filter"})`);
    }
    if (res.stopReason === "max_tokens") {
      // Cut off mid-answer: its tool calls are incomplete, so none run. Continue once with a higher cap, then stop.
      state.truncations++;
      if (state.truncations > 1) {
        await endStep([]);
        return stop("truncated", `the reply was cut off at ${state.maxOutputTokens} output tokens twice in a row`);
      }
      const raised = Math.min(caps.maxOutputTokensCeiling, state.maxOutputTokens * 2);
      const note =
        `Your reply was cut off at the output limit (${state.maxOutputTokens} tokens)` +
        `${raised > state.maxOutputTokens ? `; the limit is now ${raised}` : ""}. Nothing was run. ` +
        "Send it again, complete: one tool call at a time, and split very large files.";
      state.maxOutputTokens = raised;
      state.messages.push({ role: "assistant", content: res.text }, { role: "user", content: note });
      input.emit({ type: "loop.notice", step: state.step, kind: "max_tokens_continue", message: note });
      await endStep([]);
      continue;
    }
    state.truncations = 0;

    if (calls.length === 0) {
      state.noToolReplies++;
      state.messages.push({ role: "assistant", content: res.text }, { role: "user", content: NO_TOOL_NUDGE });
      input.emit({ type: "loop.notice", step: state.step, kind: "no_tool_call", message: NO_TOOL_NUDGE });
      await endStep([]);
      if (state.noToolReplies >= caps.maxNoToolReplies)
        return stop("no_progress", `${state.noToolReplies} replies in a row without a tool call`);
      continue;
    }
    state.noToolReplies = 0;

    const outcome = await runToolCalls(state, calls, res.text, tools, {
      workspace: input.workspace,
      runner: input.runner,
      maxOutputChars: caps.maxToolOutputChars,
      repeatLimit: caps.repeatLimit,
      ...(input.writeChecks ? { writeChecks: input.writeChecks } : {}),
    });
    const changed = (await input.workspace.version()) !== versionBefore;
    state.idleSteps = changed || outcome.progressed ? 0 : state.idleSteps + 1;
    await endStep(outcome.records);

    if (outcome.finish)
      return stop(outcome.finish.status === "done" ? "finished" : "tests_failing", outcome.finish.summary, outcome.finish);
    if (outcome.repeated) return stop("repeated_failure", outcome.repeated);
    if (state.idleSteps >= caps.noProgressSteps)
      return stop("no_progress", `${state.idleSteps} steps in a row changed no file, ran nothing and read nothing new`);
  }
}

/** Some compatible servers send empty or repeated call ids; tool turns are matched by id, so make them unique. */
function withUniqueIds(calls: ToolCall[], step: number): ToolCall[] {
  const seen = new Set<string>();
  return calls.map((c, i) => {
    const id = c.id && !seen.has(c.id) ? c.id : `call_${step}_${i}`;
    seen.add(id);
    return id === c.id ? c : { ...c, id };
  });
}

function result(state: LoopState, elapsedMs: number): AgentLoopResult {
  const s = state.stopped ?? { reason: "no_progress" as const, detail: "not stopped" };
  return {
    stopReason: s.reason,
    detail: s.detail,
    ...(s.finish ? { finish: s.finish } : {}),
    steps: state.step,
    inputTokens: state.inputTokens,
    outputTokens: state.outputTokens,
    costUsd: state.costUsd,
    elapsedMs,
    state,
  };
}
