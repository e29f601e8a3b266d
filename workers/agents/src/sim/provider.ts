import { AppError } from "@proximus/contracts/errors";
import type { UpstreamDetails } from "../llm/upstream";
import type { CompletionRequest, CompletionResult, LlmProvider, StopReason } from "../llm/types";
import { AttemptCounter, respond } from "./respond";
import { SCENARIOS, type ScenarioName } from "./scenarios";

const STOP: Record<"stop" | "tool_calls" | "length", StopReason> = { stop: "end", tool_calls: "tool_calls", length: "max_tokens" };

/**
 * A scenario as an in-process LlmProvider: the same logic the HTTP simulator serves, without the
 * wire. Named "openai" because it stands for an OpenAI-compatible model (prices, router).
 * `requests` keeps every request it saw, for assertions about what the model was shown.
 */
export class SimProvider implements LlmProvider {
  readonly name = "openai" as const;
  readonly requests: CompletionRequest[] = [];
  private readonly attempts = new AttemptCounter();

  constructor(readonly scenario: ScenarioName) {}

  async complete(req: CompletionRequest): Promise<CompletionResult> {
    this.requests.push(structuredClone({ ...req, signal: undefined, onToken: undefined }));
    if (req.signal?.aborted) throw new AppError("timeout", "aborted");
    const attempt = this.attempts.next(req.messages);
    const { reply, promptTokens, completionTokens } = respond(SCENARIOS[this.scenario], {
      messages: req.messages,
      tools: req.tools ?? [],
      attempt,
      ...(req.maxTokens === undefined ? {} : { maxTokens: req.maxTokens }),
    });
    if (reply.kind === "error") {
      const details: UpstreamDetails = {
        provider: this.name,
        status: reply.status,
        retryable: reply.status === 429 || reply.status >= 500,
        ...(reply.retryAfterMs === undefined ? {} : { retryAfterMs: reply.retryAfterMs }),
      };
      throw new AppError(
        reply.status === 429 ? "rate_limited" : "upstream_failed",
        `${this.name} HTTP ${reply.status}: ${reply.message}`,
        details,
      );
    }
    if (reply.text) req.onToken?.(reply.text);
    const turn = req.messages.filter((m) => m.role === "assistant").length;
    return {
      provider: this.name,
      model: req.model,
      text: reply.text,
      inputTokens: promptTokens,
      outputTokens: completionTokens,
      toolCalls: reply.toolCalls.map((c, i) => ({ id: `call_${turn}_${i}`, name: c.name, arguments: c.arguments })),
      stopReason: STOP[reply.finishReason],
      rawStopReason: reply.finishReason,
    };
  }
}
