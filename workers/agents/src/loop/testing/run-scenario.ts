import { ResilientProvider } from "../../llm/resilience";
import type { LlmProvider } from "../../llm/types";
import type { PriceTable } from "../../llm/prices";
import { SimProvider } from "../../sim/provider";
import type { ScenarioName } from "../../sim/scenarios";
import { fixedBudget, type LoopCaps } from "../caps";
import type { LoopEvent } from "../events";
import { runAgentLoop, type AgentLoopResult } from "../loop";
import { sandboxCommandRunner, type Runner } from "../runner";
import type { LoopState } from "../state";
import { MemoryWorkspace } from "../workspace";
import { localTestSandbox } from "./local-test-runner";

/** gpt-4o-mini's list price for the simulated model, so USD figures mean something. */
export const SIM_PRICES: PriceTable = {
  offline: {},
  bedrock: {},
  anthropic: {},
  gemini: {},
  openai: { "sim-model": { input: 0.15, output: 0.6 } },
};

export const SIM_SYSTEM = "You are the backend Engineer. Build what the task asks in the workspace, test it with run, and call finish.";
export const SIM_TASK =
  "Build an in-memory items API in src/app.js (GET /items, POST /items → 201, 400 without a name) with node:test tests.";

export interface ScenarioRun {
  result: AgentLoopResult;
  events: LoopEvent[];
  workspace: MemoryWorkspace;
  provider: SimProvider;
  budget: ReturnType<typeof fixedBudget>;
  checkpoints: LoopState[];
}

/**
 * Drives `runAgentLoop` with a simulated model in process, the test-only local runner for `run`,
 * and (by default) the real ResilientProvider around it so 429s are retried as in production.
 */
export async function runScenario(
  scenario: ScenarioName,
  opts: {
    caps?: Partial<LoopCaps>;
    budgetUsd?: number;
    resilient?: boolean;
    contextWindow?: number;
    workspace?: MemoryWorkspace;
    now?: () => number;
    runner?: Runner;
    /** Another way to reach the same scenario (e.g. OpenAiProvider → the HTTP simulator); requests are then not recorded. */
    provider?: LlmProvider;
    model?: string;
  } = {},
): Promise<ScenarioRun> {
  const provider = new SimProvider(scenario);
  const inner = opts.provider ?? provider;
  const wrapped: LlmProvider =
    opts.resilient === false ? inner : new ResilientProvider(inner, { retry: { baseDelayMs: 10, maxDelayMs: 50 } });
  const workspace = opts.workspace ?? new MemoryWorkspace();
  const budget = fixedBudget(opts.budgetUsd ?? 1);
  const events: LoopEvent[] = [];
  const checkpoints: LoopState[] = [];
  const result = await runAgentLoop({
    provider: wrapped,
    model: opts.model ?? "sim-model",
    system: SIM_SYSTEM,
    user: SIM_TASK,
    documents: [{ title: "PRD", content: "Users can list items and create an item with a name." }],
    workspace,
    runner: opts.runner ?? sandboxCommandRunner(localTestSandbox),
    budget,
    prices: opts.model ? { ...SIM_PRICES, openai: { [opts.model]: { input: 0.15, output: 0.6 } } } : SIM_PRICES,
    emit: (e) => events.push(e),
    checkpoint: (s) => void checkpoints.push(JSON.parse(JSON.stringify(s)) as LoopState),
    ...(opts.caps ? { caps: opts.caps } : {}),
    ...(opts.contextWindow ? { contextWindow: opts.contextWindow } : {}),
    ...(opts.now ? { now: opts.now } : {}),
  });
  return { result, events, workspace, provider, budget, checkpoints };
}
