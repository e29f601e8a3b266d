import { createServer, request, type Server } from "node:http";
import { connect, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { limitConnections } from "./connections";

let server: Server | null = null;
const sockets: Socket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  server = null;
});

async function start(maxConnections: number, maxConnectionsPerPeer: number): Promise<number> {
  server = createServer({ connectionsCheckingInterval: 200 }, (_req, res) => res.end("ok"));
  limitConnections(server, {
    maxConnections,
    maxConnectionsPerPeer,
    headersTimeoutMs: 60_000,
    requestTimeoutMs: 60_000,
    keepAliveTimeoutMs: 1_000,
  });
  await new Promise<void>((r) => server?.listen(0, "127.0.0.1", () => r()));
  return (server.address() as { port: number }).port;
}

function slow(port: number, from: string, closed: Set<Socket>): void {
  const s = connect({ port, host: "127.0.0.1", localAddress: from });
  s.on("error", () => undefined);
  s.on("close", () => closed.add(s));
  s.resume();
  s.write("POST / HTTP/1.1\r\nhost: x\r\n");
  sockets.push(s);
}

const get = (port: number, from: string) =>
  new Promise<number>((resolve) => {
    const r = request({ port, host: "127.0.0.1", localAddress: from, path: "/", agent: false }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? 0));
    });
    r.on("error", () => resolve(-1));
    r.end();
  });

describe("connection limits", () => {
  it("closes a peer's connections beyond its cap at once", async () => {
    const port = await start(100, 5);
    const closed = new Set<Socket>();
    for (let i = 0; i < 12; i++) slow(port, "127.0.0.1", closed);
    await new Promise((r) => setTimeout(r, 300));
    expect(closed.size).toBe(7);
    expect(await get(port, "127.0.0.2")).toBe(200);
  });

  it("at the global cap a new connection evicts the oldest one without a request head", async () => {
    const port = await start(10, 100);
    const closed = new Set<Socket>();
    for (let i = 0; i < 10; i++) slow(port, `127.0.0.${10 + i}`, closed);
    await new Promise((r) => setTimeout(r, 300));
    expect(closed.size).toBe(0);
    expect(await get(port, "127.0.0.3")).toBe(200);
    await new Promise((r) => setTimeout(r, 100));
    expect(closed.has(sockets[0] as Socket)).toBe(true);
    expect(closed.size).toBe(1);
  });
});
