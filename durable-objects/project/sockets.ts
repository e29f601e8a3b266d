import { ClientFrame } from "@proximus/contracts";
import { frame, type EventLog } from "./event-log";
import type { ProjectEvent } from "@proximus/contracts";

/** What each hibernating socket remembers across evictions: the last seq it was sent. */
export interface SocketAttachment {
  lastSeq: number;
}

const REPLAY_PAGE = 500;

/**
 * Hibernating WebSocket fan-out. State lives in each socket's attachment, not in memory, so
 * nothing is lost when the DO is evicted while sockets stay open.
 */
export class SocketHub {
  constructor(
    private readonly ctx: DurableObjectState,
    private readonly log: EventLog,
  ) {}

  /** Accepts the server end, sends hello and replays every event after `since` exactly once. */
  accept(server: WebSocket, projectId: string, since: number): void {
    this.ctx.acceptWebSocket(server);
    const lastSeq = this.log.lastSeq();
    server.send(frame({ type: "hello", projectId, lastSeq }));
    let cursor = Math.min(since, lastSeq);
    for (;;) {
      const page = this.log.page(cursor, REPLAY_PAGE);
      for (const event of page) server.send(frame({ type: "event", event }));
      if (page.length < REPLAY_PAGE) break;
      cursor = page[page.length - 1]!.seq;
    }
    const attachment: SocketAttachment = { lastSeq: Math.max(cursor, lastSeq) };
    server.serializeAttachment(attachment);
  }

  broadcast(events: readonly ProjectEvent[]): void {
    if (events.length === 0) return;
    for (const ws of this.ctx.getWebSockets()) {
      try {
        const att = (ws.deserializeAttachment() as SocketAttachment | null) ?? { lastSeq: 0 };
        let sent = att.lastSeq;
        for (const event of events) {
          // Never send an event twice: replay may already have covered it.
          if (event.seq <= sent) continue;
          ws.send(frame({ type: "event", event }));
          sent = event.seq;
        }
        if (sent !== att.lastSeq) ws.serializeAttachment({ lastSeq: sent } satisfies SocketAttachment);
      } catch {
        // A socket that is closing cannot be written; its close handler cleans it up.
      }
    }
  }

  onMessage(ws: WebSocket, message: string | ArrayBuffer): void {
    const text = typeof message === "string" ? message : new TextDecoder().decode(message);
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    const result = ClientFrame.safeParse(parsed);
    if (!result.success) {
      ws.send(frame({ type: "error", code: "bad_request", message: 'unknown frame; expected {"type":"ping"}' }));
      return;
    }
    ws.send(frame({ type: "pong" }));
  }

  /** Always answer a close; 1005/1006 are reserved codes that must not be sent back. */
  onClose(ws: WebSocket, code: number, reason: string): void {
    const safe = code === 1005 || code === 1006 || code < 1000 || code >= 5000 ? 1000 : code;
    try {
      ws.close(safe, reason.slice(0, 120));
    } catch {
      // already closed
    }
  }
}
