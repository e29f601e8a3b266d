import type { ToolCall } from "../llm/types";
import type { Runner } from "./runner";
import type { FinishClaim, LoopState } from "./state";
import { executeToolCall } from "./tools";
import type { AnyTool } from "./tools/types";
import { headTail } from "./truncate";
import type { Workspace } from "./workspace";
import type { WriteCheckOptions } from "./write-checks";

export interface StepOptions {
  workspace: Workspace;
  runner: Runner | null;
  maxOutputChars: number;
  repeatLimit: number;
  writeChecks?: WriteCheckOptions;
}

export interface StepOutcome {
  records: { id: string; name: string; ok: boolean; summary: string }[];
  finish?: FinishClaim;
  /** Set when a loop breaker fired: why. */
  repeated?: string;
  /** Something new was learned (a read/search/run not made before on these files). */
  progressed: boolean;
}

const NOT_RUN = "not run: the task stopped at an earlier call of this turn";

/**
 * Runs the tool calls of one model turn in order, appends the assistant turn and one tool turn
 * per call to the conversation, and updates the loop breakers' counters in `state`.
 */
export async function runToolCalls(
  state: LoopState,
  calls: ToolCall[],
  text: string,
  tools: readonly AnyTool[],
  opts: StepOptions,
): Promise<StepOutcome> {
  state.messages.push({ role: "assistant", content: text, toolCalls: calls });
  const out: StepOutcome = { records: [], progressed: false };
  for (const call of calls) {
    if (out.finish || out.repeated) {
      state.messages.push({ role: "tool", toolCallId: call.id, name: call.name, content: NOT_RUN, isError: true });
      continue;
    }
    const version = await opts.workspace.version();
    const outcome = await executeToolCall(call, tools, {
      workspace: opts.workspace,
      runner: opts.runner,
      maxOutputChars: opts.maxOutputChars,
      lastRuns: state.lastRuns,
      appliedEdits: state.appliedEdits,
      ...(opts.writeChecks ? { writeChecks: opts.writeChecks } : {}),
    });
    // Tools cap their own output; this is the backstop for any tool that does not. The "ERROR: "
    // prefix tells every model a call failed, also over wires without an error flag (OpenAI).
    const content = `${outcome.isError ? "ERROR: " : ""}${headTail(outcome.content, Math.ceil(opts.maxOutputChars * 1.5))}`;
    state.messages.push({ role: "tool", toolCallId: call.id, name: call.name, content, ...(outcome.isError ? { isError: true } : {}) });
    state.toolSummaries[call.id] = `${call.name}: ${outcome.summary}`;
    out.records.push({ id: call.id, name: call.name, ok: !outcome.isError, summary: outcome.summary });

    if (outcome.edit) state.appliedEdits[outcome.edit] = state.step;
    const tool = tools.find((t) => t.name === call.name);
    if (tool && (tool.readOnly || tool.name === "run") && !outcome.isError) {
      const signature = `${call.name}:${call.arguments.trim()}@${version}`;
      if (!state.seenReads.includes(signature)) {
        state.seenReads.push(signature);
        out.progressed = true;
      }
    }
    if (tool?.name === "run" && outcome.isError && outcome.failure && !outcome.failure.endsWith(":unavailable")) out.progressed = true;
    if (outcome.reappliedFrom !== undefined) {
      out.repeated = `${call.name} re-applied the same change first applied at step ${outcome.reappliedFrom}`;
    } else if (outcome.failure) {
      const n = (state.failureCounts[outcome.failure] ?? 0) + 1;
      state.failureCounts[outcome.failure] = n;
      if (n >= opts.repeatLimit) out.repeated = `the same failure ${n} times: ${outcome.summary}`;
    }
    if (outcome.finish) out.finish = outcome.finish;
  }
  return out;
}
