import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface ReceivedExport {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: unknown;
}

/**
 * A local OTLP/HTTP JSON collector for tests: records every request and answers with the
 * status the test queued (200 with an empty ExportTraceServiceResponse by default).
 */
export class TestCollector {
  readonly received: ReceivedExport[] = [];
  /** Statuses to answer with, in order; then 200. */
  readonly replies: { status: number; body?: string }[] = [];
  private server: Server | null = null;
  url = "";

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        let body: unknown = text;
        try {
          body = JSON.parse(text);
        } catch {
          // Kept as text so a test can see what was sent.
        }
        this.received.push({ method: req.method ?? "", path: req.url ?? "", headers: req.headers, body });
        const reply = this.replies.shift() ?? { status: 200, body: "{}" };
        res.writeHead(reply.status, { "content-type": "application/json" });
        res.end(reply.body ?? "{}");
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", () => resolve()));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    const s = this.server;
    this.server = null;
    if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
  }
}
