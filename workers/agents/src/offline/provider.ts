import { AppError } from "@proximus/contracts";
import { Prd } from "../roles/ceo";
import type { CompletionRequest, CompletionResult, LlmProvider } from "../llm/types";
import { scriptedTurn, type GeneratedFile } from "./agent";
import { projectSlug } from "./entities";
import { dataModel, findUpstream, normalizeTables, tablesForEntities } from "./model";
import {
  offlineArchitecture,
  offlineBackend,
  offlineDevops,
  offlineFinance,
  offlineFrontend,
  offlinePrd,
  offlineQaReview,
} from "./documents";

/** Same model id the router uses for the offline candidate. */
export { OFFLINE_MODEL } from "../llm/catalog";
const CHUNK = 256;

/** Rough token estimate (≈4 characters per token); offline usage is still metered so Finance has real rows. */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

/** What the offline provider answers for a task (also the model simulator's answer to plain JSON requests). */
export function offlineOutput(task: NonNullable<CompletionRequest["task"]>): unknown {
  const { role, idea, upstream, feedback } = task;
  const slug = projectSlug(idea);
  switch (role) {
    case "ceo":
      return offlinePrd(idea);
    case "cto": {
      const prd = findUpstream(upstream, Prd);
      const tables = normalizeTables(
        tablesForEntities(prd ? prd.entities.map((e) => e.name).slice(0, 6) : offlinePrd(idea).entities.map((e) => e.name)),
      );
      return offlineArchitecture({ tables: tables ?? [] }, prd !== null);
    }
    case "engineer_be":
      return offlineBackend(dataModel(idea, upstream), slug, feedback);
    case "engineer_fe":
      return offlineFrontend(dataModel(idea, upstream), slug, feedback);
    case "qa":
      return offlineQaReview(upstream);
    case "devops":
      return offlineDevops(dataModel(idea, upstream), slug);
    case "finance":
      return offlineFinance();
  }
}

/**
 * The provider used when no LLM key is configured: no network, no AI. It builds each role's output
 * from the task itself with fixed templates and heuristics, and says so in every output.
 */
export class OfflineProvider implements LlmProvider {
  readonly name = "offline" as const;

  async complete(req: CompletionRequest): Promise<CompletionResult> {
    if (!req.task) throw new AppError("bad_request", "the offline provider needs req.task (role, idea, upstream) to build its output");
    if (req.signal?.aborted) throw new AppError("timeout", "aborted");
    const prompt = req.messages.reduce((n, m) => n + m.content.length, 0);
    if (req.tools?.length) {
      // Asked as an agent (the Engineers' loop): work through the tools like a model would.
      const generated = offlineOutput(req.task) as { summary?: string; files?: GeneratedFile[] };
      const turn = scriptedTurn(req, generated.summary ?? "offline project", generated.files ?? []);
      const args = turn.toolCalls.reduce((n, c) => n + c.arguments.length, 0);
      return {
        provider: "offline",
        model: req.model,
        text: turn.text,
        toolCalls: turn.toolCalls,
        inputTokens: Math.ceil(prompt / 4),
        outputTokens: Math.ceil(args / 4),
        stopReason: turn.toolCalls.length ? "tool_calls" : "end",
        rawStopReason: turn.toolCalls.length ? "tool_calls" : "end",
      };
    }
    const text = JSON.stringify(offlineOutput(req.task));
    for (let i = 0; i < text.length; i += CHUNK) req.onToken?.(text.slice(i, i + CHUNK));
    return {
      provider: "offline",
      model: req.model,
      text,
      inputTokens: Math.ceil(prompt / 4),
      outputTokens: estimateTokens(text),
      toolCalls: [],
      stopReason: "end",
      rawStopReason: "end",
    };
  }
}

export function offlineProvider(): OfflineProvider {
  return new OfflineProvider();
}
