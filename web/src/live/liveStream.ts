import { ServerFrame, type ProjectEvent } from "@proximus/contracts/events";
import { backoffDelay } from "./backoff";
import { SeqGate } from "./seqGate";

/** The one WebSocket client of the dashboard: reconnects with backoff, resumes from the last seq, never repeats an event. */

export type LiveStatus = "connecting" | "live" | "reconnecting" | "closed";

export interface SocketHandlers {
  onOpen(): void;
  onMessage(data: string): void;
  onClose(code: number): void;
}
export interface SocketHandle {
  send(data: string): void;
  close(): void;
}
/** Opening a socket is injected so the reconnect logic runs under test without a network. */
export type OpenSocket = (url: string, handlers: SocketHandlers) => SocketHandle;

export interface EventsPageLike {
  events: ProjectEvent[];
  lastSeq: number;
}

export interface LiveStreamOptions {
  /** Resume point: events with seq <= since are never delivered. */
  since: number;
  /**
   * Where to connect, asked afresh for every connection attempt: in SaaS mode building it spends
   * a single-use ticket (POST …/ws-ticket), so it may be async and must never be reused.
   */
  url(since: number): string | Promise<string>;
  openSocket: OpenSocket;
  /** HTTP fallback used to fill a hole in the seq sequence. */
  fetchEvents(since: number): Promise<EventsPageLike>;
  onEvents(events: ProjectEvent[]): void;
  onStatus?(status: LiveStatus): void;
  onError?(message: string): void;
  random?: () => number;
  /** A ping goes out this often; a socket silent for two intervals is presumed dead. */
  pingEveryMs?: number;
}

export class LiveStream {
  private readonly gate: SeqGate;
  private socket: SocketHandle | null = null;
  private failures = 0;
  private stopped = false;
  private filling = false;
  /** Bumped per connection attempt, so a ticket that arrives after stop() or a newer attempt is dropped. */
  private attempt = 0;
  private sawFrameSincePing = true;
  private reconnectTimer: ReturnType<typeof setTimeout> | null = null;
  private pingTimer: ReturnType<typeof setInterval> | null = null;

  constructor(private readonly opts: LiveStreamOptions) {
    this.gate = new SeqGate(opts.since);
  }

  get lastSeq(): number {
    return this.gate.lastSeq;
  }

  start(): void {
    this.stopped = false;
    this.connect();
  }

  stop(): void {
    this.stopped = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
    this.stopPing();
    const s = this.socket;
    this.socket = null;
    s?.close();
    this.opts.onStatus?.("closed");
  }

  private connect(): void {
    this.reconnectTimer = null;
    if (this.stopped) return;
    const attempt = ++this.attempt;
    this.opts.onStatus?.(this.failures === 0 ? "connecting" : "reconnecting");
    let url: string | Promise<string>;
    try {
      url = this.opts.url(this.gate.lastSeq);
    } catch (err) {
      this.connectFailed(attempt, err);
      return;
    }
    if (typeof url === "string") {
      this.open(url);
      return;
    }
    url.then(
      (u) => {
        if (!this.stopped && attempt === this.attempt) this.open(u);
      },
      (err: unknown) => this.connectFailed(attempt, err),
    );
  }

  /** No URL (the ticket request failed): counts as a failed connection, so it backs off and retries. */
  private connectFailed(attempt: number, err: unknown): void {
    if (this.stopped || attempt !== this.attempt) return;
    this.opts.onError?.(err instanceof Error ? err.message : "could not open the live connection");
    this.onClosed();
  }

  private open(url: string): void {
    // Handlers compare against `this.socket` so a late close or frame from a replaced socket is ignored.
    const handle: SocketHandle = this.opts.openSocket(url, {
      onOpen: () => undefined,
      onMessage: (data) => {
        if (this.socket === handle) this.onFrame(data);
      },
      onClose: () => {
        if (this.socket === handle) this.onClosed();
      },
    });
    this.socket = handle;
  }

  private onFrame(raw: string): void {
    this.sawFrameSincePing = true;
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      return;
    }
    const frame = ServerFrame.safeParse(json);
    if (!frame.success) return;
    switch (frame.data.type) {
      case "hello":
        this.failures = 0;
        this.opts.onStatus?.("live");
        this.startPing();
        return;
      case "event":
        this.deliver(this.gate.accept(frame.data.event));
        if (this.gate.hasGap) void this.pull(true);
        return;
      case "pong":
        return;
      case "error":
        this.opts.onError?.(frame.data.message);
        return;
    }
  }

  private deliver(events: ProjectEvent[]): void {
    if (events.length > 0) this.opts.onEvents(events);
  }

  /**
   * Pulls events over HTTP: to fill a hole a socket left (`untilNoGap`), or to catch up while the
   * socket is down so the page keeps moving. The gate drops whatever then arrives twice.
   */
  private async pull(untilNoGap: boolean): Promise<void> {
    if (this.filling) return;
    this.filling = true;
    try {
      while (!this.stopped && (!untilNoGap || this.gate.hasGap)) {
        const page = await this.opts.fetchEvents(this.gate.lastSeq);
        if (this.stopped) return;
        this.deliver(this.gate.acceptAll(page.events));
        if (page.events.length === 0 || page.lastSeq <= this.gate.lastSeq) break;
      }
    } catch (err) {
      this.opts.onError?.(err instanceof Error ? err.message : "could not fetch missed events");
    } finally {
      this.filling = false;
    }
  }

  private onClosed(): void {
    this.socket = null;
    this.stopPing();
    if (this.stopped) return;
    const delay = backoffDelay(this.failures, this.opts.random ?? Math.random);
    this.failures += 1;
    this.opts.onStatus?.("reconnecting");
    void this.pull(false);
    this.reconnectTimer = setTimeout(() => this.connect(), delay);
  }

  private startPing(): void {
    this.stopPing();
    this.sawFrameSincePing = true;
    this.pingTimer = setInterval(() => {
      const s = this.socket;
      if (!s) return;
      if (!this.sawFrameSincePing) {
        // Half-open connections never fire close on their own; drop it and resume elsewhere.
        this.socket = null;
        s.close();
        this.onClosed();
        return;
      }
      this.sawFrameSincePing = false;
      s.send(JSON.stringify({ type: "ping" }));
    }, this.opts.pingEveryMs ?? 25_000);
  }

  private stopPing(): void {
    if (this.pingTimer) clearInterval(this.pingTimer);
    this.pingTimer = null;
  }
}

/** The browser implementation of OpenSocket. */
export const browserSocket: OpenSocket = (url, handlers) => {
  const ws = new WebSocket(url);
  ws.onopen = () => handlers.onOpen();
  ws.onmessage = (e: MessageEvent) => {
    if (typeof e.data === "string") handlers.onMessage(e.data);
  };
  ws.onclose = (e: CloseEvent) => handlers.onClose(e.code);
  return {
    send: (data) => {
      if (ws.readyState === WebSocket.OPEN) ws.send(data);
    },
    close: () => {
      ws.onmessage = null;
      ws.onclose = null;
      // Closing while CONNECTING makes Chrome log an error; close as soon as it opens instead.
      if (ws.readyState === WebSocket.CONNECTING) ws.onopen = () => ws.close(1000);
      else if (ws.readyState === WebSocket.OPEN) ws.close(1000);
    },
  };
};
