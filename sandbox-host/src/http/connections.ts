import type { Server } from "node:http";
import type { Socket } from "node:net";
import type { Config } from "../config";

export type ConnectionLimits = {
  /** Open connections in total; beyond, new ones are closed at once (`server.maxConnections`). */
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
 * time a request may take to arrive. Counts what was dropped, for the log and the bench.
 */
export function limitConnections(server: Server, limits: ConnectionLimits): { droppedGlobal: () => number; droppedPerPeer: () => number } {
  server.maxConnections = limits.maxConnections;
  server.headersTimeout = limits.headersTimeoutMs;
  server.requestTimeout = limits.requestTimeoutMs;
  server.keepAliveTimeout = limits.keepAliveTimeoutMs;
  let global = 0;
  let perPeerDrops = 0;
  server.on("drop", () => global++);
  const perPeer = new Map<string, number>();
  server.on("connection", (socket: Socket) => {
    const peer = socket.remoteAddress ?? "?";
    const n = (perPeer.get(peer) ?? 0) + 1;
    if (n > limits.maxConnectionsPerPeer) {
      perPeerDrops++;
      socket.destroy();
      return;
    }
    perPeer.set(peer, n);
    socket.once("close", () => {
      const left = (perPeer.get(peer) ?? 1) - 1;
      if (left <= 0) perPeer.delete(peer);
      else perPeer.set(peer, left);
    });
  });
  return { droppedGlobal: () => global, droppedPerPeer: () => perPeerDrops };
}
