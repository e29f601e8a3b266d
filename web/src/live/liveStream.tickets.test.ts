import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { ProjectEvent } from "@proximus/contracts/events";
import { LiveStream, type OpenSocket, type SocketHandlers } from "./liveStream";

/**
 * SaaS mode's socket endpoint as the gateway implements it (auth/ws-ticket.ts): a ticket is
 * issued per POST, opens one socket, and is spent by that upgrade or dead after 30 s.
 */
class TicketServer {
  readonly log: ProjectEvent[] = [];
  readonly issued = new Map<string, { expiresAt: number; used: boolean }>();
  readonly opened: { ticket: string; since: number; accepted: boolean }[] = [];
  readonly live = new Set<SocketHandlers>();
  failNextIssues = 0;
  private n = 0;

  async issue(): Promise<string> {
    await new Promise((r) => setTimeout(r, 20)); // the POST round trip
    if (this.failNextIssues > 0) {
      this.failNextIssues -= 1;
      throw new Error("ticket request failed: HTTP 503");
    }
    const ticket = `t${++this.n}`;
    this.issued.set(ticket, { expiresAt: Date.now() + 30_000, used: false });
    return ticket;
  }

  open: OpenSocket = (url, h) => {
    const q = new URL(url).searchParams;
    const ticket = q.get("ticket") ?? "";
    const since = Number(q.get("since"));
    const t = this.issued.get(ticket);
    const accepted = !!t && !t.used && Date.now() < t.expiresAt;
    if (t) t.used = true;
    this.opened.push({ ticket, since, accepted });
    setTimeout(() => {
      // A refused upgrade is a 401 before the handshake: the browser reports only a close.
      if (!accepted) return h.onClose(1006);
      this.live.add(h);
      h.onMessage(JSON.stringify({ type: "hello", projectId: "p1", lastSeq: this.log.length }));
      for (const e of this.log) if (e.seq > since) h.onMessage(JSON.stringify({ type: "event", event: e }));
    }, 5);
    return {
      send: () => undefined,
      close: () => {
        this.live.delete(h);
      },
    };
  };

  append(): void {
    const seq = this.log.length + 1;
    const e: ProjectEvent = { seq, ts: seq, type: "task.log", taskId: "t1", data: { text: `line ${seq}` } };
    this.log.push(e);
    for (const h of this.live) h.onMessage(JSON.stringify({ type: "event", event: e }));
  }

  dropAll(): void {
    for (const h of [...this.live]) {
      this.live.delete(h);
      h.onClose(1006);
    }
  }
}

function harness(server: TicketServer) {
  const seqs: number[] = [];
  const errors: string[] = [];
  const stream = new LiveStream({
    since: 0,
    url: async (since) => `wss://x/api/projects/p1/ws?ticket=${await server.issue()}&since=${since}`,
    openSocket: server.open,
    fetchEvents: async (since) => ({ events: server.log.filter((e) => e.seq > since), lastSeq: server.log.length }),
    onEvents: (es) => seqs.push(...es.map((e) => e.seq)),
    onError: (m) => errors.push(m),
    random: () => 0.5,
    pingEveryMs: 60_000,
  });
  return { stream, seqs, errors };
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe("LiveStream with single-use tickets", () => {
  it("asks for a fresh ticket on every reconnect and never presents one twice", async () => {
    const server = new TicketServer();
    const h = harness(server);
    h.stream.start();
    await vi.advanceTimersByTimeAsync(50);
    server.append();
    for (let i = 0; i < 3; i++) {
      server.dropAll();
      server.append();
      await vi.advanceTimersByTimeAsync(2_000);
    }
    server.append();
    const tickets = server.opened.map((o) => o.ticket);
    expect(tickets).toEqual(["t1", "t2", "t3", "t4"]);
    expect(server.opened.every((o) => o.accepted)).toBe(true);
    expect(server.issued.size).toBe(4);
    // Each reconnect resumes after what it already has; the event sent while down comes by replay.
    expect(server.opened.map((o) => o.since)).toEqual([0, 1, 2, 3]);
    expect(h.seqs).toEqual([1, 2, 3, 4, 5]);
    h.stream.stop();
  });

  it("treats a failed ticket request as a failed connection: backs off, then retries with a new ticket", async () => {
    const server = new TicketServer();
    server.failNextIssues = 2;
    const h = harness(server);
    h.stream.start();
    await vi.advanceTimersByTimeAsync(20);
    expect(server.opened).toHaveLength(0);
    expect(h.errors).toEqual(["ticket request failed: HTTP 503"]);
    await vi.advanceTimersByTimeAsync(3_000);
    expect(h.errors).toHaveLength(2);
    expect(server.opened.map((o) => [o.ticket, o.accepted])).toEqual([["t1", true]]);
    server.append();
    expect(h.seqs).toEqual([1]);
    h.stream.stop();
  });

  it("opens no socket when stopped while the ticket request is out", async () => {
    const server = new TicketServer();
    const h = harness(server);
    h.stream.start();
    await vi.advanceTimersByTimeAsync(10);
    h.stream.stop();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(server.issued.size).toBe(1);
    expect(server.opened).toHaveLength(0);
  });
});
