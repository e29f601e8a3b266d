import { z } from "zod";

/** What a memory records: a role's summary, a decision it made, or a file it produced. */
export const MemoryKind = z.enum(["summary", "decision", "artifact"]);
export type MemoryKind = z.infer<typeof MemoryKind>;

/** Texts are capped so one memory cannot crowd every other one out of a prompt. */
export const MAX_MEMORY_TEXT = 4_000;

export const MemoryItem = z.object({
  /** Stable per project: re-remembering the same id replaces the earlier text (retries are idempotent). */
  id: z.string().min(1).max(700),
  text: z.string().min(1).max(MAX_MEMORY_TEXT),
  kind: MemoryKind,
  taskId: z.string().min(1).max(64),
});
export type MemoryItem = z.infer<typeof MemoryItem>;

export interface RecalledMemory {
  id: string;
  text: string;
  kind: MemoryKind;
  /** Cosine similarity to the query, in [-1, 1]; higher is closer. */
  score: number;
}

/** Semantic memory of one project. Every implementation keeps projects apart: one never sees another's rows. */
export interface ProjectMemory {
  remember(items: MemoryItem[]): Promise<void>;
  /** Up to k memories closest to the query, best first; memories with no similarity at all (score ≤ 0) are left out. */
  recall(query: string, k: number): Promise<RecalledMemory[]>;
}

/** Turns texts into vectors. Vectors from different embedders are not comparable, hence `id`. */
export interface Embedder {
  /** Names the vector space (e.g. `offline-hash-v1-256`, `openai:text-embedding-3-small`); stored with every vector. */
  readonly id: string;
  embed(texts: string[]): Promise<Float32Array[]>;
}
