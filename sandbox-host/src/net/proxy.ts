import { isIP, createServer, Socket, type LookupFunction, type Server } from "node:net";
import type { EgressCounts } from "@proximus/contracts/sandbox";
import type { AddressPolicy } from "./address-policy";

const MAX_HEAD = 16 * 1024;
const CONNECT_TIMEOUT_MS = 5_000;

/** Open tunnels across every run of this host: one run cannot take all the host's fds. */
export class TunnelBudget {
  private open = 0;
  constructor(readonly max: number) {}
  tryAcquire(): boolean {
    if (this.open >= this.max) return false;
    this.open++;
    return true;
  }
  release(): void {
    this.open = Math.max(0, this.open - 1);
  }
  get inUse(): number {
    return this.open;
  }
}

export type ProxyOptions = {
  policy: AddressPolicy;
  /** Shared by every run's proxy. */
  budget: TunnelBudget;
  /** Client connections (each carries at most one tunnel) one run may hold at once. */
  maxOpenPerRun: number;
  /** Name resolution; tests give their own to play a rebinding DNS. */
  lookup?: LookupFunction;
};

export type ProxyDecision = { target: string; allowed: boolean; reason: string };

/**
 * CONNECT (and absolute-form HTTP) proxy for one run: only exact host:port entries of the
 * allowlist pass. The address policy is applied to the address the name resolved to (before the
 * SYN) and again to the connected socket's remote address, so a name that resolves elsewhere by
 * the time we dial (DNS rebinding) cannot slip through. Tunnels are capped per run and per host.
 */
export class EgressProxy {
  private server: Server | null = null;
  private sockets = new Set<Socket>();
  readonly decisions: ProxyDecision[] = [];
  private readonly count = { opened: 0, denied: 0, refusedOverCap: 0 };

  constructor(
    private readonly allow: ReadonlySet<string>,
    private readonly opts: ProxyOptions,
  ) {}

  get counts(): EgressCounts {
    return { ...this.count, maxOpenPerRun: this.opts.maxOpenPerRun };
  }

  async listen(host: string, port: number): Promise<void> {
    const server = createServer((s) => this.handle(s));
    // Beyond this many client connections the kernel-accepted socket is closed at once ('drop').
    server.maxConnections = this.opts.maxOpenPerRun;
    server.on("drop", () => this.count.refusedOverCap++);
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, host, () => resolve());
    });
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private deny(client: Socket, target: string, reason: string, status = "403 Forbidden"): void {
    this.decisions.push({ target, allowed: false, reason });
    if (status.startsWith("503")) this.count.refusedOverCap++;
    else if (status.startsWith("403")) this.count.denied++;
    const head = `HTTP/1.1 ${status}\r\ncontent-type: text/plain\r\nconnection: close\r\n\r\n`;
    if (!client.destroyed) client.end(`${head}egress to ${target} denied: ${reason}\n`);
  }

  private handle(client: Socket): void {
    this.sockets.add(client);
    client.on("close", () => this.sockets.delete(client));
    client.on("error", () => client.destroy());
    client.setTimeout(30_000, () => client.destroy());
    let head = Buffer.alloc(0);
    const onData = (b: Buffer) => {
      head = Buffer.concat([head, b]);
      const end = head.indexOf("\r\n\r\n");
      if (end < 0) {
        if (head.length > MAX_HEAD) client.end("HTTP/1.1 431 Request Header Fields Too Large\r\n\r\n");
        return;
      }
      client.off("data", onData);
      client.pause();
      this.route(client, head.subarray(0, end + 4), head.subarray(end + 4));
    };
    client.on("data", onData);
  }

  private route(client: Socket, head: Buffer, rest: Buffer): void {
    const firstLine = head.toString("latin1").split("\r\n")[0] ?? "";
    const [method, uri] = firstLine.split(" ");
    let host: string;
    let port: number;
    let forward: Buffer | null = null;
    if (method === "CONNECT" && uri) {
      const i = uri.lastIndexOf(":");
      host = uri.slice(0, i).replace(/^\[|\]$/g, "");
      port = Number(uri.slice(i + 1));
    } else if (method && uri?.startsWith("http://")) {
      let url: URL;
      try {
        url = new URL(uri);
      } catch {
        client.end("HTTP/1.1 400 Bad Request\r\n\r\n");
        return;
      }
      host = url.hostname;
      port = Number(url.port || 80);
      // Rewrite to origin-form; the origin server never sees the proxy's absolute URI.
      forward = Buffer.concat([
        Buffer.from(head.toString("latin1").replace(firstLine, `${method} ${url.pathname}${url.search} HTTP/1.1`), "latin1"),
        rest,
      ]);
    } else {
      client.end("HTTP/1.1 405 Method Not Allowed\r\n\r\n");
      return;
    }
    const target = `${host.toLowerCase()}:${port}`;
    if (!(Number.isInteger(port) && port > 0 && port < 65536)) return this.deny(client, target, "bad port");
    if (!this.allow.has(target)) return this.deny(client, target, "not in allowlist");
    if (isIP(host)) {
      const bad = this.opts.policy(host);
      if (bad) return this.deny(client, target, `forbidden address: ${bad}`);
    }
    if (!this.opts.budget.tryAcquire()) {
      return this.deny(client, target, `the host's ${this.opts.budget.max} egress tunnels are in use`, "503 Service Unavailable");
    }
    let released = false;
    const release = () => {
      if (!released) this.opts.budget.release();
      released = true;
    };
    const upstream = new Socket();
    this.sockets.add(upstream);
    let refused = false;
    let established = false;
    const refuse = (reason: string) => {
      refused = true;
      upstream.destroy();
      this.deny(client, target, reason);
    };
    // Before the SYN: the resolved address (a name may point anywhere). Attached before connect(),
    // since a resolver may answer synchronously.
    upstream.once("lookup", (err, address) => {
      if (err) return refuse("name does not resolve");
      const bad = this.opts.policy(address);
      if (bad) refuse(`resolves to a forbidden address (${address}): ${bad}`);
    });
    client.once("close", () => upstream.destroy());
    upstream.on("close", () => {
      this.sockets.delete(upstream);
      release();
    });
    upstream.on("error", () => {
      if (established) client.destroy();
      else if (!refused) this.deny(client, target, "upstream unreachable", "502 Bad Gateway");
      upstream.destroy();
    });
    upstream.on("timeout", () => upstream.destroy());
    // IPv4 only: the sandbox network is IPv4, and one family keeps the connect path single-address.
    upstream.setTimeout(CONNECT_TIMEOUT_MS);
    upstream.connect({ host, port, family: 4, autoSelectFamily: false, ...(this.opts.lookup ? { lookup: this.opts.lookup } : {}) });
    upstream.once("connect", () => {
      // Authoritative: the address this socket is actually connected to.
      const bad = this.opts.policy(upstream.remoteAddress ?? "");
      if (bad) return refuse(`connected to a forbidden address (${upstream.remoteAddress ?? "?"}): ${bad}`);
      upstream.setTimeout(0);
      established = true;
      this.decisions.push({ target, allowed: true, reason: "allowlisted" });
      this.count.opened++;
      if (forward) upstream.write(forward);
      else {
        client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
        if (rest.length) upstream.write(rest);
      }
      client.pipe(upstream);
      upstream.pipe(client);
      client.resume();
    });
  }
}
