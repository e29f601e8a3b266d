import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { Socket } from "node:net";
import type { Config } from "../config";

export type ConnectionLimits = {
  /** Open connections in total; beyond, a new one evicts the oldest without a request head, or is closed. */
  maxConnections: number;
  /** Open connections from one peer address; behind a tunnel every peer is the tunnel, so set it to maxConnections there. */
  maxConnectionsPerPeer: number;
  /** The whole request head must arrive within this (slow-header connections are closed). */
  headersTimeoutMs: number;
  /** Head and body must arrive within this; a run's own duration does not count (it starts after). */
  requestTimeoutMs: number;
  keepAliveTimeoutMs: number;
};

export const connectionLimitsOf = (c: Config): ConnectionLimits => ({
  maxConnections: c.maxConnections,
  maxConnectionsPerPeer: c.maxConnectionsPerPeer,
  headersTimeoutMs: c.headersTimeoutMs,
  requestTimeoutMs: c.requestTimeoutMs,
  keepAliveTimeoutMs: c.keepAliveTimeoutMs,
});

/**
 * Bounds what an unauthenticated peer can hold: sockets (fds) globally and per address, and the
 * time a request may take to arrive. At the global cap a new connection evicts the oldest one that
 * has not sent a complete request head (a slow or idle one) rather than being refused, so a flood
 * of slow connections from many addresses cannot lock out a client that sends its request at once.
 * Counts what was dropped, for the log and the bench.
 */
export function limitConnections(server: Server, limits: ConnectionLimits): { droppedGlobal: () => number; droppedPerPeer: () => number } {
  server.headersTimeout = limits.headersTimeoutMs;
  server.requestTimeout = limits.requestTimeoutMs;
  server.keepAliveTimeout = limits.keepAliveTimeoutMs;
  let open = 0;
  let globalDrops = 0;
  let perPeerDrops = 0;
  const perPeer = new Map<string, number>();
  // Insertion order = age: the first entry is the oldest socket waiting for a request head.
  const waiting = new Set<Socket>();
  server.on("request", (req: IncomingMessage, res: ServerResponse) => {
    waiting.delete(req.socket);
    res.once("finish", () => {
      if (!req.socket.destroyed) waiting.add(req.socket);
    });
  });
  server.on("connection", (socket: Socket) => {
    const peer = socket.remoteAddress ?? "?";
    const n = (perPeer.get(peer) ?? 0) + 1;
    if (n > limits.maxConnectionsPerPeer) {
      perPeerDrops++;
      socket.destroy();
      return;
    }
    if (open >= limits.maxConnections) {
      const oldest = waiting.values().next().value;
      globalDrops++;
      if (!oldest) return void socket.destroy();
      waiting.delete(oldest);
      oldest.destroy();
    }
    open++;
    perPeer.set(peer, n);
    waiting.add(socket);
    socket.once("close", () => {
      open--;
      waiting.delete(socket);
      const left = (perPeer.get(peer) ?? 1) - 1;
      if (left <= 0) perPeer.delete(peer);
      else perPeer.set(peer, left);
    });
  });
  return { droppedGlobal: () => globalDrops, droppedPerPeer: () => perPeerDrops };
}
