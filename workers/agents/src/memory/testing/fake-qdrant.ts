import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A test double for Qdrant that speaks the subset of its REST API the memory adapter uses
 * (GET/PUT /collections/{name}, PUT …/index, PUT …/points, POST …/points/query), with Qdrant's
 * response envelopes, real cosine ranking and must/must_not/should filters on `match`.
 * Requests it does not understand get a 400 so a change in the client's wire format fails loudly.
 */

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: IncomingMessage["headers"];
  body: unknown;
}
interface Point {
  id: string | number;
  vector: number[];
  payload: Record<string, unknown>;
}
interface Collection {
  size: number;
  distance: string;
  points: Map<string, Point>;
  payloadSchema: Record<string, unknown>;
}
type Condition = { key: string; match: { value?: unknown; any?: unknown[] } };
interface Filter {
  must?: Condition[];
  must_not?: Condition[];
  should?: Condition[];
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function cosine(a: number[], b: number[]): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  a.forEach((x, i) => {
    dot += x * b[i]!;
    na += x * x;
    nb += b[i]! * b[i]!;
  });
  return na && nb ? dot / Math.sqrt(na * nb) : 0;
}

function holds(payload: Record<string, unknown>, c: Condition): boolean {
  if (typeof c?.key !== "string" || !c.match || typeof c.match !== "object")
    throw new HttpError(400, `Format error in JSON body: unsupported condition ${JSON.stringify(c)}`);
  const v = payload[c.key];
  if ("value" in c.match) return v === c.match.value;
  if (Array.isArray(c.match.any)) return c.match.any.includes(v);
  throw new HttpError(400, `Format error in JSON body: unsupported match ${JSON.stringify(c.match)}`);
}

function matches(payload: Record<string, unknown>, f: Filter | undefined): boolean {
  if (!f) return true;
  if (f.must && !f.must.every((c) => holds(payload, c))) return false;
  if (f.must_not?.some((c) => holds(payload, c))) return false;
  if (f.should?.length && !f.should.some((c) => holds(payload, c))) return false;
  return true;
}

export class FakeQdrant {
  readonly requests: RecordedRequest[] = [];
  readonly collections = new Map<string, Collection>();
  /** When set, every request must carry this `api-key` header. */
  apiKey: string | undefined;
  private server: Server | undefined;
  url = "";

  async start(): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  async stop(): Promise<void> {
    const s = this.server;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((resolve, reject) => s.close((e) => (e ? reject(e) : resolve())));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    const send = (status: number, body: Record<string, unknown>) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify({ ...body, time: (performance.now() - started) / 1000 }));
    };
    try {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const raw = Buffer.concat(chunks).toString("utf8");
      const url = new URL(req.url ?? "/", "http://x");
      let body: unknown = undefined;
      if (raw) {
        try {
          body = JSON.parse(raw) as unknown;
        } catch {
          throw new HttpError(400, "Format error in JSON body: not JSON");
        }
      }
      this.requests.push({
        method: req.method ?? "",
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        headers: req.headers,
        body,
      });
      if (this.apiKey !== undefined && req.headers["api-key"] !== this.apiKey)
        throw new HttpError(401, "Must provide an API key or an Authorization bearer token");
      send(200, { result: this.route(req.method ?? "", url.pathname, body), status: "ok" });
    } catch (e) {
      const status = e instanceof HttpError ? e.status : 500;
      send(status, { status: { error: e instanceof Error ? e.message : String(e) } });
    }
  }

  private collection(name: string): Collection {
    const c = this.collections.get(name);
    if (!c) throw new HttpError(404, `Not found: Collection \`${name}\` doesn't exist!`);
    return c;
  }

  private route(method: string, path: string, body: unknown): unknown {
    if (method === "GET" && path === "/") return { title: "qdrant - vector search engine", version: "1.15.0" };
    const m = /^\/collections\/([^/]+)(\/.*)?$/.exec(path);
    if (!m) throw new HttpError(404, `no route ${method} ${path}`);
    const name = decodeURIComponent(m[1]!);
    const rest = m[2] ?? "";
    const b = (body ?? {}) as Record<string, unknown>;
    if (rest === "" && method === "GET") return this.info(name);
    if (rest === "" && method === "PUT") return this.create(name, b);
    if (rest === "/index" && method === "PUT") {
      const c = this.collection(name);
      if (typeof b.field_name !== "string") throw new HttpError(400, "Format error in JSON body: missing field `field_name`");
      c.payloadSchema[b.field_name] = b.field_schema;
      return { operation_id: 1, status: "completed" };
    }
    if (rest === "/points" && method === "PUT") return this.upsert(name, b);
    if (rest === "/points/query" && method === "POST") return this.query(name, b);
    throw new HttpError(404, `no route ${method} ${path}`);
  }

  private info(name: string) {
    const c = this.collection(name);
    return {
      status: "green",
      optimizer_status: "ok",
      indexed_vectors_count: 0,
      points_count: c.points.size,
      segments_count: 1,
      config: {
        params: {
          vectors: { size: c.size, distance: c.distance },
          shard_number: 1,
          replication_factor: 1,
          write_consistency_factor: 1,
          on_disk_payload: true,
        },
        hnsw_config: { m: 16, ef_construct: 100, full_scan_threshold: 10000, max_indexing_threads: 0, on_disk: false },
        optimizer_config: { deleted_threshold: 0.2, vacuum_min_vector_number: 1000, default_segment_number: 0, flush_interval_sec: 5 },
        wal_config: { wal_capacity_mb: 32, wal_segments_ahead: 0 },
        quantization_config: null,
      },
      payload_schema: c.payloadSchema,
    };
  }

  private create(name: string, b: Record<string, unknown>) {
    if (this.collections.has(name)) throw new HttpError(409, `Wrong input: Collection \`${name}\` already exists!`);
    const v = b.vectors as { size?: unknown; distance?: unknown } | undefined;
    if (typeof v?.size !== "number" || !["Cosine", "Dot", "Euclid", "Manhattan"].includes(String(v.distance))) {
      throw new HttpError(400, "Format error in JSON body: vectors must be {size, distance}");
    }
    this.collections.set(name, { size: v.size, distance: String(v.distance), points: new Map(), payloadSchema: {} });
    return true;
  }

  private upsert(name: string, b: Record<string, unknown>) {
    const c = this.collection(name);
    if (!Array.isArray(b.points)) throw new HttpError(400, "Format error in JSON body: expected `points`");
    for (const p of b.points as Point[]) {
      if (!(typeof p.id === "number" || (typeof p.id === "string" && UUID.test(p.id)))) {
        throw new HttpError(
          400,
          `Format error in JSON body: value ${String(p.id)} is not a valid point ID, valid values are either an unsigned integer or a UUID`,
        );
      }
      if (!Array.isArray(p.vector) || p.vector.length !== c.size) {
        throw new HttpError(
          400,
          `Wrong input: Vector dimension error: expected dim: ${c.size}, got ${Array.isArray(p.vector) ? p.vector.length : "none"}`,
        );
      }
      c.points.set(String(p.id), { id: p.id, vector: p.vector, payload: p.payload ?? {} });
    }
    return { operation_id: 2, status: "completed" };
  }

  private query(name: string, b: Record<string, unknown>) {
    const c = this.collection(name);
    const q = b.query;
    if (!Array.isArray(q) || q.length !== c.size) throw new HttpError(400, `Wrong input: Vector dimension error: expected dim: ${c.size}`);
    const limit = typeof b.limit === "number" ? b.limit : 10;
    const filter = b.filter as Filter | undefined;
    const scored = [...c.points.values()]
      .filter((p) => matches(p.payload, filter))
      .map((p) => ({
        id: p.id,
        version: 2,
        score: cosine(q as number[], p.vector),
        ...(b.with_payload === true ? { payload: p.payload } : {}),
      }))
      .sort((x, y) => y.score - x.score)
      .slice(0, limit);
    return { points: scored };
  }
}
