import { QdrantClient } from "@qdrant/js-client-rest";
import { z } from "zod";
import { AppError } from "@proximus/contracts";
import { D1ProjectMemory } from "./d1-store";
import { HashEmbedder } from "./hash-embedder";
import { OpenAiEmbedder } from "./openai-embedder";
import { DEFAULT_QDRANT_COLLECTION, QdrantProjectMemory } from "./qdrant-store";
import type { Embedder, ProjectMemory } from "./types";

/** Empty strings are how wrangler.toml says "not configured". */
const opt = z
  .string()
  .optional()
  .transform((s) => (s?.trim() ? s.trim() : undefined));

export const MemoryEnv = z.object({
  MEMORY_BACKEND: z.preprocess(
    (s) => (typeof s === "string" && s.trim() ? s.trim().toLowerCase() : undefined),
    z.enum(["d1", "qdrant", "none"]).default("d1"),
  ),
  /** `auto` (default): OpenAI-compatible embeddings when OPENAI_API_KEY is set, the offline hash embedder otherwise. */
  MEMORY_EMBEDDER: z.preprocess(
    (s) => (typeof s === "string" && s.trim() ? s.trim().toLowerCase() : undefined),
    z.enum(["auto", "offline", "openai"]).default("auto"),
  ),
  OPENAI_API_KEY: opt,
  OPENAI_BASE_URL: opt,
  OPENAI_EMBEDDING_MODEL: opt,
  QDRANT_URL: opt,
  QDRANT_API_KEY: opt,
  QDRANT_COLLECTION: opt,
});
export type MemoryEnv = z.infer<typeof MemoryEnv>;

export function embedderFromEnv(env: MemoryEnv, fetchImpl?: typeof fetch): Embedder {
  if (env.MEMORY_EMBEDDER === "offline" || (env.MEMORY_EMBEDDER === "auto" && !env.OPENAI_API_KEY)) return new HashEmbedder();
  if (!env.OPENAI_API_KEY) throw new AppError("bad_request", "MEMORY_EMBEDDER=openai needs OPENAI_API_KEY");
  return new OpenAiEmbedder({
    apiKey: env.OPENAI_API_KEY,
    ...(env.OPENAI_BASE_URL ? { baseUrl: env.OPENAI_BASE_URL } : {}),
    ...(env.OPENAI_EMBEDDING_MODEL ? { model: env.OPENAI_EMBEDDING_MODEL } : {}),
    ...(fetchImpl ? { fetch: fetchImpl } : {}),
  });
}

/**
 * The project's memory as configured: D1 (default, the `DB` binding), Qdrant, or none.
 * Returns null when memory is off — including `d1` without a `DB` binding, so a Worker without
 * the database still runs tasks (just without memory).
 */
export function memoryFromEnv(rawEnv: Record<string, unknown>, projectId: string, db: D1Database | undefined): ProjectMemory | null {
  const parsed = MemoryEnv.safeParse(rawEnv);
  if (!parsed.success)
    throw new AppError(
      "bad_request",
      `memory configuration is invalid: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`,
    );
  const env = parsed.data;
  if (env.MEMORY_BACKEND === "none") return null;
  const embedder = embedderFromEnv(env);
  if (env.MEMORY_BACKEND === "d1") return db ? new D1ProjectMemory({ db, projectId, embedder }) : null;
  if (!env.QDRANT_URL) throw new AppError("bad_request", "MEMORY_BACKEND=qdrant needs QDRANT_URL");
  const client = new QdrantClient({
    url: env.QDRANT_URL,
    ...(env.QDRANT_API_KEY ? { apiKey: env.QDRANT_API_KEY } : {}),
    timeout: 30_000,
    // The check is a fire-and-forget request per client that only logs; one per task is waste.
    checkCompatibility: false,
  });
  return new QdrantProjectMemory({ client, collection: env.QDRANT_COLLECTION ?? DEFAULT_QDRANT_COLLECTION, projectId, embedder });
}
