import { z } from "zod";
import type { ProviderName } from "@proximus/contracts";
import type { LlmProvider } from "./types";
import { AnthropicProvider } from "./anthropic";
import { BedrockProvider } from "./bedrock";
import { GeminiProvider } from "./gemini";
import { LocalModel, localCatalog, parseLocalModels } from "./local-models";
import { OPENAI_DEFAULT_BASE_URL, OpenAiProvider } from "./openai";
import { ResilientProvider, type ResilienceOptions } from "./resilience";

const opt = z.string().trim().min(1).optional();
const url = z.url().optional();

/** Provider settings. Validated because they come from Worker env / secrets. */
export const ProvidersConfig = z.object({
  openaiApiKey: opt,
  openaiBaseUrl: url,
  /** What the OpenAI-compatible server serves (OPENAI_MODELS); required to route to a non-official base URL. */
  openaiModels: z.array(LocalModel).min(1).optional(),
  anthropicApiKey: opt,
  anthropicBaseUrl: url,
  awsAccessKeyId: opt,
  awsSecretAccessKey: opt,
  awsSessionToken: opt,
  awsRegion: z
    .string()
    .regex(/^[a-z]{2}(-[a-z]+)+-\d+$/)
    .optional(),
  bedrockEndpoint: url,
  geminiApiKey: opt,
  geminiBaseUrl: url,
});
export type ProvidersConfig = z.infer<typeof ProvidersConfig> & { fetch?: typeof fetch };

export type ProviderSet = Partial<Record<ProviderName, ResilientProvider | LlmProvider>>;

export interface CreateProvidersOptions {
  /** The offline provider (built elsewhere); always included when given. */
  offline?: LlmProvider;
  /** Per-provider timeout/retry/breaker settings; one breaker per provider either way. */
  resilience?: ResilienceOptions | ((p: ProviderName) => ResilienceOptions);
}

/**
 * Builds the providers that have credentials. A key-less OpenAI-compatible server (Ollama) is
 * enabled by a base URL alone. Each vendor provider is wrapped in its own ResilientProvider.
 */
export function createProviders(input: ProvidersConfig, opts: CreateProvidersOptions = {}): ProviderSet {
  const { fetch: fetchFn, ...rest } = input;
  const cfg = ProvidersConfig.parse(rest);
  const f = fetchFn ? { fetch: fetchFn } : {};
  const wrap = (p: LlmProvider): ResilientProvider => {
    const r = typeof opts.resilience === "function" ? opts.resilience(p.name) : opts.resilience;
    return new ResilientProvider(p, r);
  };
  const out: ProviderSet = {};
  if (cfg.openaiApiKey || cfg.openaiBaseUrl) {
    // A compatible server (Ollama, vLLM, …) serves only what OPENAI_MODELS lists; without a list it
    // gets no catalog models (the router would otherwise send gpt-4o-mini), only explicitly named ones.
    const official = !cfg.openaiBaseUrl || cfg.openaiBaseUrl.replace(/\/+$/, "") === OPENAI_DEFAULT_BASE_URL;
    const models = cfg.openaiModels ? localCatalog(cfg.openaiModels) : official ? undefined : [];
    out.openai = wrap(
      new OpenAiProvider({
        // Local OpenAI-compatible servers ignore the key, but the SDK insists on one.
        apiKey: cfg.openaiApiKey ?? "not-needed",
        ...(cfg.openaiBaseUrl ? { baseUrl: cfg.openaiBaseUrl } : {}),
        ...(models ? { models } : {}),
        ...f,
      }),
    );
  }
  if (cfg.anthropicApiKey) {
    out.anthropic = wrap(
      new AnthropicProvider({ apiKey: cfg.anthropicApiKey, ...(cfg.anthropicBaseUrl ? { baseUrl: cfg.anthropicBaseUrl } : {}), ...f }),
    );
  }
  if (cfg.awsAccessKeyId && cfg.awsSecretAccessKey) {
    out.bedrock = wrap(
      new BedrockProvider({
        accessKeyId: cfg.awsAccessKeyId,
        secretAccessKey: cfg.awsSecretAccessKey,
        ...(cfg.awsSessionToken ? { sessionToken: cfg.awsSessionToken } : {}),
        ...(cfg.awsRegion ? { region: cfg.awsRegion } : {}),
        ...(cfg.bedrockEndpoint ? { endpoint: cfg.bedrockEndpoint } : {}),
        ...f,
      }),
    );
  }
  if (cfg.geminiApiKey) {
    out.gemini = wrap(new GeminiProvider({ apiKey: cfg.geminiApiKey, ...(cfg.geminiBaseUrl ? { baseUrl: cfg.geminiBaseUrl } : {}), ...f }));
  }
  if (opts.offline) out.offline = opts.offline;
  return out;
}

/** Worker env var names → config. Empty strings count as unset (wrangler vars default to ""). */
export function providersConfigFromEnv(env: Record<string, unknown>): ProvidersConfig {
  const s = (k: string): string | undefined => {
    const v = env[k];
    return typeof v === "string" && v.trim() !== "" ? v.trim() : undefined;
  };
  const raw = {
    openaiApiKey: s("OPENAI_API_KEY"),
    openaiBaseUrl: s("OPENAI_BASE_URL"),
    anthropicApiKey: s("ANTHROPIC_API_KEY"),
    anthropicBaseUrl: s("ANTHROPIC_BASE_URL"),
    awsAccessKeyId: s("AWS_ACCESS_KEY_ID"),
    awsSecretAccessKey: s("AWS_SECRET_ACCESS_KEY"),
    awsSessionToken: s("AWS_SESSION_TOKEN"),
    awsRegion: s("AWS_REGION"),
    bedrockEndpoint: s("BEDROCK_ENDPOINT"),
    geminiApiKey: s("GEMINI_API_KEY"),
    geminiBaseUrl: s("GEMINI_BASE_URL"),
  };
  const models = s("OPENAI_MODELS");
  const parsed = { ...raw, ...(models ? { openaiModels: parseLocalModels(models, "OPENAI_MODELS") } : {}) };
  return ProvidersConfig.parse(Object.fromEntries(Object.entries(parsed).filter(([, v]) => v !== undefined)));
}
