import { lookup } from "node:dns/promises";
import { isIP, createConnection, createServer, type Server, type Socket } from "node:net";

const MAX_HEAD = 16 * 1024;
const CONNECT_TIMEOUT_MS = 5_000;

/** Ranges the proxy never dials, listed or not: the host itself, link-local (cloud metadata), sandbox veths. */
export function forbiddenAddress(ip: string): string | null {
  if (isIP(ip) === 6) {
    const v = ip.toLowerCase();
    if (v === "::1" || v === "::" || v.startsWith("fe80:") || v.startsWith("::ffff:")) return "loopback/link-local/mapped IPv6";
    return null;
  }
  const [a, b] = ip.split(".").map(Number) as [number, number];
  if (a === 127 || a === 0) return "loopback";
  if (a === 169 && b === 254) return "link-local (metadata range)";
  if (a === 10 && b === 231) return "sandbox network";
  if (a >= 224) return "multicast/reserved";
  return null;
}

export type ProxyDecision = { target: string; allowed: boolean; reason: string };

/**
 * CONNECT (and absolute-form HTTP) proxy for one run: only exact host:port entries of the
 * allowlist pass, and only if the name resolves outside the forbidden ranges.
 */
export class EgressProxy {
  private server: Server | null = null;
  private sockets = new Set<Socket>();
  readonly decisions: ProxyDecision[] = [];

  constructor(private readonly allow: ReadonlySet<string>) {}

  async listen(host: string, port: number): Promise<void> {
    const server = createServer((s) => this.handle(s));
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

  private async check(host: string, port: number): Promise<{ ok: true; ip: string } | { ok: false; reason: string }> {
    const target = `${host.toLowerCase()}:${port}`;
    if (!this.allow.has(target)) return { ok: false, reason: "not in allowlist" };
    let ip = host;
    if (!isIP(host)) {
      try {
        ip = (await lookup(host, { family: 4 })).address;
      } catch {
        return { ok: false, reason: "name does not resolve" };
      }
    }
    const bad = forbiddenAddress(ip);
    return bad ? { ok: false, reason: `resolves to a forbidden range: ${bad}` } : { ok: true, ip };
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
      void this.route(client, head.subarray(0, end + 4), head.subarray(end + 4));
    };
    client.on("data", onData);
  }

  private async route(client: Socket, head: Buffer, rest: Buffer): Promise<void> {
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
      forward = Buffer.concat([Buffer.from(head.toString("latin1").replace(firstLine, `${method} ${url.pathname}${url.search} HTTP/1.1`), "latin1"), rest]);
    } else {
      client.end("HTTP/1.1 405 Method Not Allowed\r\n\r\n");
      return;
    }
    const target = `${host.toLowerCase()}:${port}`;
    const verdict = Number.isInteger(port) && port > 0 && port < 65536 ? await this.check(host, port) : ({ ok: false, reason: "bad port" } as const);
    if (!verdict.ok) {
      this.decisions.push({ target, allowed: false, reason: verdict.reason });
      client.end(`HTTP/1.1 403 Forbidden\r\ncontent-type: text/plain\r\nconnection: close\r\n\r\negress to ${target} denied: ${verdict.reason}\n`);
      return;
    }
    this.decisions.push({ target, allowed: true, reason: "allowlisted" });
    const upstream = createConnection({ host: verdict.ip, port, timeout: CONNECT_TIMEOUT_MS });
    this.sockets.add(upstream);
    upstream.on("close", () => this.sockets.delete(upstream));
    upstream.on("error", () => {
      if (!client.destroyed) client.end("HTTP/1.1 502 Bad Gateway\r\n\r\n");
      upstream.destroy();
    });
    upstream.on("timeout", () => upstream.destroy());
    upstream.once("connect", () => {
      upstream.setTimeout(0);
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
