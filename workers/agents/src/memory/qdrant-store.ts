import type { QdrantClient } from "@qdrant/js-client-rest";
import { z } from "zod";
import { AppError } from "@proximus/contracts";
import { MemoryItem, MemoryKind, type Embedder, type ProjectMemory, type RecalledMemory } from "./types";
import { MAX_RECALL_K } from "./d1-store";
import { sha256 } from "@proximus/shared/sha256";

export const DEFAULT_QDRANT_COLLECTION = "proximus_memory";

export interface QdrantMemoryOptions {
  client: QdrantClient;
  /** One collection per deployment; projects are told apart by the `projectId` payload field. */
  collection: string;
  projectId: string;
  embedder: Embedder;
}

const Payload = z.object({ projectId: z.string(), memoryId: z.string(), kind: MemoryKind, taskId: z.string(), text: z.string() });
const VectorParams = z.object({ size: z.number().int() });

function statusOf(e: unknown): number | undefined {
  const s = e && typeof e === "object" ? (e as { status?: unknown }).status : undefined;
  return typeof s === "number" ? s : undefined;
}

function upstream(what: string, e: unknown): AppError {
  if (e instanceof AppError) return e;
  const status = statusOf(e);
  const detail = status === undefined ? (e instanceof Error ? e.message : String(e)) : `HTTP ${status}`;
  return new AppError("upstream_failed", `qdrant ${what} failed: ${detail.slice(0, 300)}`, {
    provider: "qdrant",
    retryable: status === undefined || status === 429 || status >= 500,
  });
}

/**
 * Qdrant wants unsigned integers or UUIDs as point ids; a hash of (project, memory id) keeps
 * re-remembering idempotent and keeps two projects' equal memory ids apart.
 */
export async function pointId(projectId: string, memoryId: string): Promise<string> {
  const digest = await sha256(`${projectId}\n${memoryId}`);
  const b = digest.slice(0, 16);
  b[6] = (b[6]! & 0x0f) | 0x50; // version 5 (name-based, SHA)
  b[8] = (b[8]! & 0x3f) | 0x80; // RFC 4122 variant
  const hex = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Collections known to exist with the right size, per isolate: a check costs a round trip, so it runs once. */
const ensured = new Map<string, Promise<void>>();

async function ensureCollection(client: QdrantClient, name: string, size: number): Promise<void> {
  const sizeOf = (info: { config: { params: { vectors?: unknown } } }) => VectorParams.safeParse(info.config.params.vectors).data?.size;
  try {
    const info = await client.getCollection(name);
    const existing = sizeOf(info);
    if (existing !== size) {
      throw new AppError(
        "bad_request",
        `qdrant collection ${name} holds ${existing ?? "named"} vectors of another size than this embedder's ${size}; set QDRANT_COLLECTION to a new name`,
      );
    }
    return;
  } catch (e) {
    if (statusOf(e) !== 404) throw upstream(`reading collection ${name}`, e);
  }
  try {
    await client.createCollection(name, { vectors: { size, distance: "Cosine" } });
  } catch (e) {
    // Another isolate created it between our read and our create: that is the state we wanted.
    if (statusOf(e) !== 409) throw upstream(`creating collection ${name}`, e);
  }
  try {
    // A tenant index makes the per-project filter cheap and lets Qdrant co-locate each project's points.
    await client.createPayloadIndex(name, { field_name: "projectId", field_schema: { type: "keyword", is_tenant: true }, wait: true });
  } catch (e) {
    throw upstream(`indexing collection ${name}`, e);
  }
}

export class QdrantProjectMemory implements ProjectMemory {
  constructor(private readonly opts: QdrantMemoryOptions) {}

  private ensure(size: number): Promise<void> {
    const key = `${this.opts.collection}#${size}`;
    let p = ensured.get(key);
    if (!p) {
      p = ensureCollection(this.opts.client, this.opts.collection, size);
      ensured.set(key, p);
      // A failed check is not cached: the next call tries again.
      void p.catch(() => ensured.delete(key));
    }
    return p;
  }

  private filter() {
    return {
      must: [
        { key: "projectId", match: { value: this.opts.projectId } },
        { key: "embedder", match: { value: this.opts.embedder.id } },
      ],
    };
  }

  async remember(items: MemoryItem[]): Promise<void> {
    const rows = items.map((i) => MemoryItem.parse(i));
    if (!rows.length) return;
    const vectors = await this.opts.embedder.embed(rows.map((r) => r.text));
    await this.ensure(vectors[0]!.length);
    const points = await Promise.all(
      rows.map(async (r, i) => ({
        id: await pointId(this.opts.projectId, r.id),
        vector: Array.from(vectors[i]!),
        payload: {
          projectId: this.opts.projectId,
          memoryId: r.id,
          kind: r.kind,
          taskId: r.taskId,
          text: r.text,
          embedder: this.opts.embedder.id,
        },
      })),
    );
    try {
      await this.opts.client.upsert(this.opts.collection, { wait: true, points });
    } catch (e) {
      throw upstream("upsert", e);
    }
  }

  async recall(query: string, k: number): Promise<RecalledMemory[]> {
    const limit = Math.min(Math.max(0, Math.floor(k)), MAX_RECALL_K);
    if (!limit || !query.trim()) return [];
    const [q] = await this.opts.embedder.embed([query]);
    await this.ensure(q!.length);
    let res: Awaited<ReturnType<QdrantClient["query"]>>;
    try {
      res = await this.opts.client.query(this.opts.collection, { query: Array.from(q!), filter: this.filter(), limit, with_payload: true });
    } catch (e) {
      throw upstream("query", e);
    }
    return res.points.flatMap((p) => {
      const payload = Payload.safeParse(p.payload);
      // The filter already scoped the search; the check guards against a server that ignored it.
      if (!payload.success || payload.data.projectId !== this.opts.projectId || p.score <= 0) return [];
      return [{ id: payload.data.memoryId, kind: payload.data.kind, text: payload.data.text, score: p.score }];
    });
  }
}
