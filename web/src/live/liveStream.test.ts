import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { ProjectEvent } from "@proximus/contracts/events";
import { LiveStream, type LiveStatus, type OpenSocket, type SocketHandlers } from "./liveStream";

/** A stand-in for ProjectDO's socket endpoint: hello, replay of seq > since, then live events. */
class FakeServer {
  readonly log: ProjectEvent[] = [];
  readonly conns: FakeConn[] = [];
  /** When true the server replays from 0 whatever `since` says (an overlapping replay). */
  ignoreSince = false;
  pongs = true;

  open: OpenSocket = (url, handlers) => {
    const since = Number(new URL(url).searchParams.get("since"));
    const conn = new FakeConn(this, handlers, this.ignoreSince ? 0 : since);
    this.conns.push(conn);
    // Frames arrive asynchronously, as they would over a network.
    setTimeout(() => conn.handshake(), 5);
    return conn;
  };

  append(lose = false): ProjectEvent {
    const seq = this.log.length + 1;
    const e: ProjectEvent = { seq, ts: seq, type: "task.log", taskId: "t1", data: { text: `line ${seq}`, attempt: 1 } };
    this.log.push(e);
    for (const c of this.live()) if (!lose) c.push(e);
    return e;
  }

  live(): FakeConn[] {
    return this.conns.filter((c) => c.open);
  }

  async fetchEvents(since: number): Promise<{ events: ProjectEvent[]; lastSeq: number }> {
    await Promise.resolve();
    return { events: this.log.filter((e) => e.seq > since).slice(0, 3), lastSeq: this.log.length };
  }
}

class FakeConn {
  open = false;
  closed = false;
  readonly sent: string[] = [];
  constructor(
    private readonly server: FakeServer,
    private readonly h: SocketHandlers,
    readonly since: number,
  ) {}
  handshake(): void {
    if (this.closed) return;
    this.open = true;
    this.h.onOpen();
    this.h.onMessage(JSON.stringify({ type: "hello", projectId: "p1", lastSeq: this.server.log.length }));
    for (const e of this.server.log) if (e.seq > this.since) this.push(e);
  }
  push(e: ProjectEvent): void {
    if (this.open) this.h.onMessage(JSON.stringify({ type: "event", event: e }));
  }
  send(data: string): void {
    this.sent.push(data);
    if (this.server.pongs && JSON.parse(data).type === "ping") setTimeout(() => this.open && this.h.onMessage('{"type":"pong"}'), 1);
  }
  close(): void {
    this.open = false;
    this.closed = true;
  }
  /** The network or the server drops the connection. */
  drop(): void {
    this.close();
    this.h.onClose(1006);
  }
}

function harness(server: FakeServer, since = 0) {
  const delivered: ProjectEvent[] = [];
  const statuses: LiveStatus[] = [];
  const stream = new LiveStream({
    since,
    url: (s) => `ws://x/api/projects/p1/ws?since=${s}`,
    openSocket: server.open,
    fetchEvents: (s) => server.fetchEvents(s),
    onEvents: (es) => delivered.push(...es),
    onStatus: (s) => statuses.push(s),
    random: () => 0.5,
    pingEveryMs: 1000,
  });
  return { stream, delivered, statuses, seqs: () => delivered.map((e) => e.seq) };
}

const range = (a: number, b: number) => Array.from({ length: b - a + 1 }, (_, i) => a + i);

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe("LiveStream", () => {
  it("replays history after `since`, then streams live events", async () => {
    const server = new FakeServer();
    for (let i = 0; i < 5; i++) server.append();
    const h = harness(server, 2);
    h.stream.start();
    await vi.advanceTimersByTimeAsync(10);
    expect(server.conns[0]?.since).toBe(2);
    server.append();
    expect(h.seqs()).toEqual([3, 4, 5, 6]);
    expect(h.statuses).toEqual(["connecting", "live"]);
    h.stream.stop();
  });

  it("reconnects after a drop, resuming from the last delivered seq with no duplicates", async () => {
    const server = new FakeServer();
    const h = harness(server);
    h.stream.start();
    await vi.advanceTimersByTimeAsync(10);
    server.append();
    server.append();
    server.conns[0]?.drop();
    server.append(); // happens while disconnected
    server.append();
    expect(h.statuses.at(-1)).toBe("reconnecting");
    await vi.advanceTimersByTimeAsync(1000);
    expect(server.conns).toHaveLength(2);
    // Events 3 and 4 came over HTTP while the socket was down, so the socket resumes after them.
    expect(server.conns[1]?.since).toBe(4);
    server.append();
    expect(h.seqs()).toEqual([1, 2, 3, 4, 5]);
    expect(h.statuses.at(-1)).toBe("live");
    h.stream.stop();
  });

  it("drops events an overlapping replay sends twice", async () => {
    const server = new FakeServer();
    server.ignoreSince = true;
    const h = harness(server);
    h.stream.start();
    await vi.advanceTimersByTimeAsync(10);
    server.append();
    server.append();
    server.conns[0]?.drop();
    server.append();
    await vi.advanceTimersByTimeAsync(1000);
    expect(h.seqs()).toEqual([1, 2, 3]);
    h.stream.stop();
  });

  it("fills a hole in the sequence over HTTP and delivers held events once", async () => {
    const server = new FakeServer();
    const h = harness(server);
    h.stream.start();
    await vi.advanceTimersByTimeAsync(10);
    server.append();
    server.append(true); // lost on the socket
    server.append(true);
    server.append(true);
    server.append(true);
    server.append();
    expect(h.seqs()).toEqual([1]);
    await vi.advanceTimersByTimeAsync(0);
    server.append();
    expect(h.seqs()).toEqual(range(1, 7));
    h.stream.stop();
  });

  it("catches up over HTTP while the socket cannot connect", async () => {
    const server = new FakeServer();
    server.open = (url, handlers) => {
      const conn = new FakeConn(server, handlers, 0);
      server.conns.push(conn);
      setTimeout(() => conn.drop(), 5);
      return conn;
    };
    const h = harness(server);
    for (let i = 0; i < 7; i++) server.append();
    h.stream.start();
    await vi.advanceTimersByTimeAsync(10);
    expect(h.seqs()).toEqual(range(1, 7));
    server.append();
    await vi.advanceTimersByTimeAsync(1000);
    expect(h.seqs()).toEqual(range(1, 8));
    expect(h.statuses).not.toContain("live");
    h.stream.stop();
  });

  it("backs off exponentially while the server is unreachable and resets after a hello", async () => {
    const server = new FakeServer();
    const open = server.open;
    const openedAt: number[] = [];
    let failing = true;
    // Every connection dies before its handshake while `failing`.
    server.open = (url, handlers) => {
      openedAt.push(Date.now());
      const conn = open(url, handlers) as FakeConn;
      if (failing) setTimeout(() => conn.drop(), 1);
      return conn;
    };
    const h = harness(server);
    h.stream.start();
    await vi.advanceTimersByTimeAsync(6000);
    const gaps = openedAt.slice(1, 5).map((t, i) => t - openedAt[i]!);
    // random() = 0.5 → 75% of 500·2^n after the 1 ms failure: 376, 751, 1501, 3001 ms.
    expect(gaps).toEqual([376, 751, 1501, 3001]);
    failing = false;
    await vi.advanceTimersByTimeAsync(10_000);
    expect(h.statuses.at(-1)).toBe("live");
    const before = openedAt.length;
    server.live()[0]?.drop();
    await vi.advanceTimersByTimeAsync(400);
    expect(openedAt.length).toBe(before + 1);
    h.stream.stop();
  });

  it("pings, and treats a socket that stops answering as dead", async () => {
    const server = new FakeServer();
    const h = harness(server);
    h.stream.start();
    await vi.advanceTimersByTimeAsync(10);
    await vi.advanceTimersByTimeAsync(3000);
    expect(server.conns[0]?.sent.filter((s) => s.includes("ping")).length).toBeGreaterThanOrEqual(2);
    expect(server.conns).toHaveLength(1);
    server.pongs = false;
    await vi.advanceTimersByTimeAsync(2500);
    expect(server.conns[0]?.closed).toBe(true);
    expect(server.conns.length).toBeGreaterThanOrEqual(2);
    h.stream.stop();
  });

  it("ignores malformed frames and does not reconnect after stop()", async () => {
    const server = new FakeServer();
    const h = harness(server);
    h.stream.start();
    await vi.advanceTimersByTimeAsync(10);
    const conn = server.conns[0]!;
    // @ts-expect-error reach into the fake to inject garbage frames
    const handlers: SocketHandlers = conn.h;
    handlers.onMessage("not json");
    handlers.onMessage(JSON.stringify({ type: "event", event: { seq: "x" } }));
    server.append();
    expect(h.seqs()).toEqual([1]);
    h.stream.stop();
    conn.drop();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(server.conns).toHaveLength(1);
    expect(h.statuses.at(-1)).toBe("closed");
  });

  it("delivers every event exactly once under random drops and losses", async () => {
    let seed = 42;
    const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const server = new FakeServer();
    const h = harness(server);
    h.stream.start();
    for (let step = 0; step < 400; step++) {
      const r = rand();
      if (r < 0.05) server.live().forEach((c) => c.drop());
      else server.append(r < 0.12);
      await vi.advanceTimersByTimeAsync(Math.floor(rand() * 300));
    }
    server.append();
    await vi.advanceTimersByTimeAsync(20_000);
    server.append();
    await vi.advanceTimersByTimeAsync(100);
    expect(h.seqs()).toEqual(range(1, server.log.length));
    h.stream.stop();
  });
});
