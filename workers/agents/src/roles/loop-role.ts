import { z } from "zod";
import { Usage, type ArtifactRef } from "@proximus/contracts";
import { costUsd } from "../llm/prices";
import type { CompletionRequest, CompletionResult, LlmProvider } from "../llm/types";
import { fixedBudget } from "../loop/caps";
import type { LoopEvent } from "../loop/events";
import { runAgentLoop } from "../loop/loop";
import { sandboxCommandRunner } from "../loop/runner";
import { LoopState } from "../loop/state";
import type { LoopStopReason } from "../loop/stop-reasons";
import { MemoryWorkspace } from "../loop/workspace";
import type { LoopRole, RoleDefinition, RoleOutcome, RoleRunContext } from "./types";

/** What an Engineer's task reports downstream: what it changed, how the loop ended, what it claimed. */
export interface LoopRoleResult {
  summary: string;
  files: { path: string; bytes: number; sha256: string }[];
  stopReason: LoopStopReason;
  /** The agent's own word on its tests; QA re-runs them and never takes it on trust. */
  claimedStatus: "done" | "tests_failing" | null;
  steps: number;
}

/** Saved after every step: the loop's state, the workspace it works on and the usage so far. */
const Checkpoint = z.object({
  loop: LoopState,
  workspace: z.object({ files: z.record(z.string(), z.string()), log: z.array(z.object({ version: z.number(), path: z.string() })) }),
  usage: z.array(Usage),
});

/** Stop reasons after which the task's work stands (QA judges it); every other one fails the task. */
const SUCCESS: ReadonlySet<LoopStopReason> = new Set(["finished", "tests_failing"]);
/** Failures another attempt may cure (a vendor outage); the rest would only spend the budget again. */
const RETRYABLE: ReadonlySet<LoopStopReason> = new Set(["provider_error", "wall_time"]);

/**
 * Worst case a routed call may cost, for the reservation before it: the task's configured model if
 * it names one, else a deliberately high price (USD 3 / 15 per million tokens), since the router
 * may pick any candidate.
 */
function reservePriceFor(ctx: RoleRunContext): (i: number, o: number) => number {
  const { provider, model } = ctx.msg.llm;
  if (provider && model) return (i, o) => costUsd(provider, model, i, o);
  return (i, o) => (i * 3 + o * 15) / 1_000_000;
}

/**
 * Meters every call the loop makes, as the JSON path does, so the ledger has one row per LLM call;
 * and names the task, which real vendors ignore and the offline provider builds its answer from.
 */
function metered(provider: LlmProvider, usage: Usage[], msg: RoleRunContext["msg"]): LlmProvider {
  const task = { role: msg.role, idea: msg.idea, upstream: msg.upstream, ...(msg.feedback ? { feedback: msg.feedback } : {}) };
  return {
    name: provider.name,
    async complete(req: CompletionRequest): Promise<CompletionResult> {
      const res = await provider.complete({ ...req, task: req.task ?? task });
      usage.push({
        provider: res.provider,
        model: res.model,
        inputTokens: res.inputTokens,
        outputTokens: res.outputTokens,
        costUsd: res.costUsd ?? costUsd(res.provider, res.model, res.inputTokens, res.outputTokens),
      });
      return res;
    },
  };
}

function describe(e: LoopEvent): { kind: "log" | "tool"; text: string } {
  switch (e.type) {
    case "loop.step":
      return {
        kind: "tool",
        text: `step ${e.step}: ${e.toolCalls.map((c) => `${c.name} → ${c.summary}`).join("; ") || `no tool call (${e.modelStop})`}`,
      };
    case "loop.notice":
      return { kind: "log", text: `${e.kind}: ${e.message}` };
    case "loop.stopped":
      return { kind: "log", text: `stopped: ${e.reason} — ${e.detail} (${e.steps} steps, $${e.totalCostUsd.toFixed(4)})` };
  }
}

/**
 * Runs a loop role (the Engineers): a tool-using agent over the project's current files, which it
 * reads, edits and tests itself. Its changed files become the task's artifacts; the loop's stop
 * reason names how the task ended. Resumes from the last checkpoint when a run died mid-task.
 */
export async function runLoopRole(
  role: RoleDefinition,
  loop: LoopRole,
  ctx: RoleRunContext,
  provider: LlmProvider,
  model: string,
  usage: Usage[],
): Promise<RoleOutcome> {
  const { msg, deps } = ctx;
  const saved = Checkpoint.safeParse(await deps.checkpoint?.load());
  const resumed = saved.success ? saved.data : null;
  if (resumed) {
    usage.push(...resumed.usage);
    deps.emit("log", `resuming the agent loop at step ${resumed.loop.step}`);
  }
  const workspace = resumed ? MemoryWorkspace.fromJSON(resumed.workspace) : new MemoryWorkspace(await ctx.upstreamFiles());
  const budget = fixedBudget(msg.budgetRemainingUsd ?? Number.POSITIVE_INFINITY);
  const result = await runAgentLoop({
    provider: metered(provider, usage, msg),
    model,
    system: role.system,
    user: loop.task(ctx),
    documents: loop.documents(ctx),
    workspace,
    runner: deps.sandbox ? sandboxCommandRunner(deps.sandbox) : null,
    caps: {
      maxOutputTokens: Math.min(msg.llm.maxTokens ?? role.llm.maxTokens, 16_384),
      maxOutputTokensCeiling: Math.max(16_384, role.llm.maxTokens),
    },
    budget,
    reservePrice: reservePriceFor(ctx),
    ...((msg.llm.temperature ?? role.llm.temperature) !== undefined ? { temperature: msg.llm.temperature ?? role.llm.temperature } : {}),
    emit: (e) => {
      const d = describe(e);
      deps.emit(d.kind, d.text);
    },
    checkpoint: async (state) => {
      await deps.checkpoint?.save({ loop: state, workspace: workspace.toJSON(), usage });
    },
    ...(resumed ? { resume: resumed.loop } : {}),
  });

  const artifacts: ArtifactRef[] = [];
  for (const path of await workspace.changesSince(0)) {
    const content = await workspace.read(path);
    // A file the agent deleted stays as the last task left it (artifacts cannot say "deleted" yet).
    if (content !== null) artifacts.push(await deps.artifacts.put(path, content));
  }
  const output: LoopRoleResult = {
    summary: result.finish?.summary ?? result.detail,
    files: artifacts.map((a) => ({ path: a.path, bytes: a.bytes, sha256: a.sha256 })),
    stopReason: result.stopReason,
    claimedStatus: result.finish?.status ?? null,
    steps: result.steps,
  };
  if (SUCCESS.has(result.stopReason) && artifacts.length > 0) return { ok: true, output, artifacts, stopReason: result.stopReason };
  const error = SUCCESS.has(result.stopReason) ? "the agent finished without writing any file" : `${result.stopReason}: ${result.detail}`;
  return { ok: false, error, permanent: !RETRYABLE.has(result.stopReason), output, artifacts, stopReason: result.stopReason };
}
