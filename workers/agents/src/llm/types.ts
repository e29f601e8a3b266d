import type { ProviderName, Role } from "../../../../contracts";

export interface ChatMessage {
  role: "system" | "user" | "assistant";
  content: string;
}

/** What a role agent asks of any provider. */
export interface CompletionRequest {
  model: string;
  messages: ChatMessage[];
  maxTokens?: number;
  temperature?: number;
  /** When set, the provider must ask the vendor for JSON output matching this JSON Schema. */
  jsonSchema?: { name: string; schema: Record<string, unknown> };
  /** Streamed text deltas, turned into `task.token` events by the caller. */
  onToken?: (delta: string) => void;
  signal?: AbortSignal;
  /**
   * The task this call serves. Real vendors ignore it; the offline provider uses it to build
   * deterministic, schema-valid output without any AI.
   */
  task?: { role: Role; idea: string; upstream: Record<string, unknown>; feedback?: string };
}

export interface CompletionResult {
  provider: ProviderName;
  model: string;
  text: string;
  inputTokens: number;
  outputTokens: number;
}

export interface LlmProvider {
  readonly name: ProviderName;
  complete(req: CompletionRequest): Promise<CompletionResult>;
}
