import { AppError } from "@proximus/contracts";
import { MemoryItem, MemoryKind, type Embedder, type ProjectMemory, type RecalledMemory } from "./types";
import { TopK, cosine, decodeVector, encodeVector } from "./vector";

/**
 * Brute force is fine to about 10⁴ vectors per project: at 256 dims that is ~10 MB read per recall,
 * in pages, so Worker memory stays at one page plus the top k. Beyond the cap the oldest memories are
 * evicted; deployments that need more switch MEMORY_BACKEND to qdrant.
 */
export const MAX_VECTORS_PER_PROJECT = 10_000;
export const RECALL_PAGE_SIZE = 256;
export const MAX_RECALL_K = 50;
/** D1 allows 100 bound parameters per statement; 8 per row leaves room for a dozen rows per batch entry. */
const ROWS_PER_INSERT = 12;

export interface D1MemoryOptions {
  db: D1Database;
  projectId: string;
  embedder: Embedder;
  now?: () => number;
  maxVectors?: number;
  pageSize?: number;
}

/** D1 hands BLOB columns back as ArrayBuffer or (older runtimes) as an array of byte values. */
function bytesOf(v: unknown): Uint8Array {
  if (v instanceof Uint8Array) return v;
  if (v instanceof ArrayBuffer) return new Uint8Array(v);
  if (Array.isArray(v)) return Uint8Array.from(v as number[]);
  throw new AppError("internal", "memory_vectors.vector is not a blob");
}

export class D1ProjectMemory implements ProjectMemory {
  private readonly db: D1Database;
  private readonly now: () => number;
  private readonly maxVectors: number;
  private readonly pageSize: number;

  constructor(private readonly opts: D1MemoryOptions) {
    this.db = opts.db;
    this.now = opts.now ?? Date.now;
    this.maxVectors = opts.maxVectors ?? MAX_VECTORS_PER_PROJECT;
    this.pageSize = opts.pageSize ?? RECALL_PAGE_SIZE;
  }

  async remember(items: MemoryItem[]): Promise<void> {
    const rows = items.map((i) => MemoryItem.parse(i));
    if (!rows.length) return;
    const vectors = await this.opts.embedder.embed(rows.map((r) => r.text));
    const at = this.now();
    const stmts: D1PreparedStatement[] = [];
    for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) {
      const chunk = rows.slice(i, i + ROWS_PER_INSERT);
      const values = chunk.map(() => "(?, ?, ?, ?, ?, ?, ?, ?)").join(", ");
      const params = chunk.flatMap((r, j) => [
        this.opts.projectId,
        r.id,
        r.taskId,
        r.kind,
        r.text,
        this.opts.embedder.id,
        encodeVector(vectors[i + j]!),
        at,
      ]);
      stmts.push(
        this.db
          .prepare(
            `INSERT INTO memory_vectors (project_id, id, task_id, kind, text, embedder, vector, created_at) VALUES ${values}
             ON CONFLICT (project_id, id) DO UPDATE SET task_id = excluded.task_id, kind = excluded.kind, text = excluded.text,
               embedder = excluded.embedder, vector = excluded.vector, created_at = excluded.created_at`,
          )
          .bind(...params),
      );
    }
    // Same batch (one transaction): the project never holds more than the cap, even for a moment others can see.
    stmts.push(
      this.db
        .prepare(
          `DELETE FROM memory_vectors WHERE project_id = ?1 AND rowid IN (
             SELECT rowid FROM memory_vectors WHERE project_id = ?1 ORDER BY created_at DESC, id DESC LIMIT -1 OFFSET ?2)`,
        )
        .bind(this.opts.projectId, this.maxVectors),
    );
    await this.db.batch(stmts);
  }

  async recall(query: string, k: number): Promise<RecalledMemory[]> {
    const limit = Math.min(Math.max(0, Math.floor(k)), MAX_RECALL_K);
    if (!limit || !query.trim()) return [];
    const [q] = await this.opts.embedder.embed([query]);
    const top = new TopK<{ id: string; kind: MemoryKind }>(limit);
    // Keyset paging on the primary key: each page is one bounded read, whatever the project's size.
    let after = "";
    for (;;) {
      const page = await this.db
        .prepare("SELECT id, kind, vector FROM memory_vectors WHERE project_id = ?1 AND embedder = ?2 AND id > ?3 ORDER BY id LIMIT ?4")
        .bind(this.opts.projectId, this.opts.embedder.id, after, this.pageSize)
        .all<{ id: string; kind: string; vector: unknown }>();
      for (const row of page.results) {
        const kind = MemoryKind.safeParse(row.kind);
        if (kind.success) top.offer(cosine(q!, decodeVector(bytesOf(row.vector))), { id: row.id, kind: kind.data });
      }
      if (page.results.length < this.pageSize) break;
      after = page.results[page.results.length - 1]!.id;
    }
    const best = top.result().filter((b) => b.score > 0);
    if (!best.length) return [];
    // Texts are fetched for the winners only, so a recall never holds every text of the project.
    const texts = await this.db
      .prepare(`SELECT id, text FROM memory_vectors WHERE project_id = ? AND id IN (${best.map(() => "?").join(", ")})`)
      .bind(this.opts.projectId, ...best.map((b) => b.value.id))
      .all<{ id: string; text: string }>();
    const byId = new Map(texts.results.map((r) => [r.id, r.text]));
    return best.flatMap((b) => {
      const text = byId.get(b.value.id);
      return text === undefined ? [] : [{ id: b.value.id, kind: b.value.kind, text, score: b.score }];
    });
  }
}
