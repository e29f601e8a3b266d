import { z } from "zod";
import { AppError } from "@proximus/contracts";
import type { ModelInfo } from "./catalog";

/**
 * The models an OpenAI-compatible server (Ollama, vLLM, llama.cpp, OpenRouter) actually serves, from
 * `OPENAI_MODELS`. Without this list the router would offer the official catalog (gpt-4o-mini,
 * gpt-4o), which a local server answers with 404.
 *
 * Two spellings:
 * - JSON: `[{"name":"qwen2.5-coder:7b","contextWindow":32768,"tools":true}]`
 *   (fields: name, contextWindow, inputPrice / outputPrice in USD per 1M tokens (default 0),
 *   tools (default true; false = text tool protocol), quality 0..1 (router prior, default 0.5));
 * - a comma list `name:contextWindow[:inPrice:outPrice][:notools]`, read from the right because
 *   Ollama names contain colons: `qwen2.5-coder:7b:32768,llama3.2:3b:8192:notools`.
 */
export const LocalModel = z.object({
  name: z.string().trim().min(1),
  contextWindow: z.number().int().positive(),
  inputPrice: z.number().nonnegative().default(0),
  outputPrice: z.number().nonnegative().default(0),
  tools: z.boolean().default(true),
  quality: z.number().min(0).max(1).default(0.5),
});
export type LocalModel = z.infer<typeof LocalModel>;
export const LocalModels = z.array(LocalModel).min(1);

const NUMBER = /^\d+(\.\d+)?$/;

function parseEntry(entry: string): Record<string, unknown> {
  const parts = entry.split(":");
  let tools = true;
  if (parts[parts.length - 1]?.toLowerCase() === "notools") {
    tools = false;
    parts.pop();
  }
  let trailing = 0;
  for (let i = parts.length - 1; i > 0 && NUMBER.test(parts[i] ?? ""); i--) trailing++;
  // Three trailing numbers are window + prices; otherwise only the last one is the window.
  const take = trailing >= 3 ? 3 : Math.min(trailing, 1);
  const nums = parts.splice(parts.length - take, take).map(Number);
  const [contextWindow, inputPrice, outputPrice] = nums;
  return {
    name: parts.join(":"),
    ...(contextWindow === undefined ? {} : { contextWindow }),
    ...(inputPrice === undefined ? {} : { inputPrice, outputPrice }),
    tools,
  };
}

/** Parses and validates the list; a bad value is a configuration error that names the variable. */
export function parseLocalModels(raw: string, varName = "OPENAI_MODELS"): LocalModel[] {
  const text = raw.trim();
  let candidate: unknown;
  if (text.startsWith("[")) {
    try {
      candidate = JSON.parse(text) as unknown;
    } catch (e) {
      throw new AppError("internal", `${varName} is not valid JSON: ${e instanceof Error ? e.message : String(e)}`);
    }
  } else {
    candidate = text
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean)
      .map(parseEntry);
  }
  const parsed = LocalModels.safeParse(candidate);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? ` at ${issue.path.join(".")}` : "";
    throw new AppError(
      "internal",
      `${varName} is invalid${where}: ${issue?.message ?? "bad value"}. ` +
        `Expected JSON [{"name","contextWindow",…}] or name:contextWindow[:inPrice:outPrice][:notools], comma-separated`,
    );
  }
  const names = new Set<string>();
  for (const m of parsed.data) {
    if (names.has(m.name)) throw new AppError("internal", `${varName} lists the model "${m.name}" twice`);
    names.add(m.name);
  }
  return parsed.data;
}

/** The configured models as router catalog entries of the `openai` provider. */
export function localCatalog(models: readonly LocalModel[]): ModelInfo[] {
  return models.map((m) => ({
    provider: "openai",
    model: m.name,
    quality: m.quality,
    contextTokens: m.contextWindow,
    price: { input: m.inputPrice, output: m.outputPrice },
    nativeTools: m.tools,
  }));
}
