import { existsSync, realpathSync } from "node:fs";
import { delimiter, isAbsolute, join } from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import { parseCidrList, type Cidr } from "./net/address-policy";
import { DEFAULT_PIDS_LIMIT } from "./runner/limits";

/** The repo's own Node (npm package `node`, pinned in package.json): the host's may be older. */
const REPO_NODE = fileURLToPath(new URL("../../node_modules/node/bin/node", import.meta.url));

/** `<repo>/node_modules/node/bin/node`, else the first `node` on PATH; symlinks resolved, because it is bind-mounted. */
export function defaultNodeBin(path = process.env.PATH ?? ""): string | null {
  const candidates = [
    REPO_NODE,
    ...path
      .split(delimiter)
      .filter((d) => isAbsolute(d))
      .map((d) => join(d, "node")),
  ];
  const found = candidates.find((c) => existsSync(c));
  return found ? realpathSync(found) : null;
}

const Env = z.object({
  SANDBOX_SECRET: z.string().min(16, "SANDBOX_SECRET must be at least 16 characters"),
  SANDBOX_PORT: z.coerce.number().int().min(1).max(65535).default(8791),
  SANDBOX_BIND: z.string().default("127.0.0.1"),
  SANDBOX_MAX_CONCURRENT: z.coerce.number().int().min(1).max(64).default(2),
  SANDBOX_MAX_QUEUE: z.coerce.number().int().min(0).max(1000).default(16),
  SANDBOX_POOL_SIZE: z.coerce.number().int().min(0).max(16).default(2),
  SANDBOX_STATE_DIR: z.string().default("/var/lib/proximus-sandbox"),
  /** Forces the bubblewrap backend (tests of the fallback); never chosen silently. */
  SANDBOX_FORCE_BACKEND: z.enum(["gvisor", "bubblewrap"]).optional(),
  /** The `node` every sandbox gets (bind-mounted read-only); must be >= 22.13 (checked at start). */
  /** Pin each sandbox to one CPU (faster under gVisor-ptrace on a machine of its own); 0 turns it off. */
  SANDBOX_PIN_CPUS: z.enum(["0", "1"], "SANDBOX_PIN_CPUS must be 0 or 1").default("1"),
  SANDBOX_NODE_BIN: z
    .string()
    .refine((p) => isAbsolute(p), "SANDBOX_NODE_BIN must be an absolute path")
    .optional(),
  /** Where the toolchain layer is installed (one subdirectory per lockfile hash); default `<state dir>/toolchain`. */
  SANDBOX_TOOLCHAIN_DIR: z
    .string()
    .refine((p) => isAbsolute(p), "SANDBOX_TOOLCHAIN_DIR must be an absolute path")
    .optional(),
  /** 0: no toolchain layer (sandboxes get no /node_modules; generated projects' gates cannot run). */
  SANDBOX_TOOLCHAIN: z.enum(["0", "1"], "SANDBOX_TOOLCHAIN must be 0 or 1").default("1"),
  SANDBOX_MAX_CONNECTIONS: z.coerce.number().int().min(8).max(100_000).default(256),
  SANDBOX_MAX_CONNECTIONS_PER_PEER: z.coerce.number().int().min(1).max(100_000).default(64),
  SANDBOX_HEADERS_TIMEOUT_MS: z.coerce.number().int().min(500).max(120_000).default(10_000),
  SANDBOX_REQUEST_TIMEOUT_MS: z.coerce.number().int().min(1_000).max(600_000).default(30_000),
  SANDBOX_KEEPALIVE_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(5_000),
  /** Comma-separated CIDRs egress may reach although private (RFC 1918, CGNAT, ULA, ...); never loopback or the host's own. */
  SANDBOX_EGRESS_ALLOW_CIDRS: z.string().default(""),
  SANDBOX_EGRESS_MAX_TUNNELS_PER_RUN: z.coerce.number().int().min(1).max(4096).default(32),
  SANDBOX_EGRESS_MAX_TUNNELS: z.coerce.number().int().min(1).max(65_536).default(256),
  /** Tasks per sandbox; gVisor's own threads count too (see README, Limits). */
  SANDBOX_PIDS_LIMIT: z.coerce.number().int().min(64).max(32_768).default(DEFAULT_PIDS_LIMIT),
});

export type Config = {
  secret: string;
  port: number;
  bind: string;
  maxConcurrent: number;
  maxQueue: number;
  poolSize: number;
  stateDir: string;
  forceBackend: "gvisor" | "bubblewrap" | undefined;
  nodeBin: string;
  pinCpus: boolean;
  /** Cache dir of the toolchain layer, or null for none. */
  toolchainDir: string | null;
  maxConnections: number;
  maxConnectionsPerPeer: number;
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  keepAliveTimeoutMs: number;
  egressAllowCidrs: Cidr[];
  egressMaxTunnelsPerRun: number;
  egressMaxTunnels: number;
  pidsLimit: number;
};

export function loadConfig(env: NodeJS.ProcessEnv): Config {
  const parsed = Env.safeParse(env);
  if (!parsed.success) {
    const msg = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
    throw new Error(`invalid sandbox-host configuration: ${msg}`);
  }
  const e = parsed.data;
  const nodeBin = e.SANDBOX_NODE_BIN ? realpathOrThrow(e.SANDBOX_NODE_BIN) : defaultNodeBin(env.PATH ?? "");
  if (!nodeBin)
    throw new Error(`invalid sandbox-host configuration: no node binary (set SANDBOX_NODE_BIN; looked for ${REPO_NODE} and node on PATH)`);
  return {
    secret: e.SANDBOX_SECRET,
    port: e.SANDBOX_PORT,
    bind: e.SANDBOX_BIND,
    maxConcurrent: e.SANDBOX_MAX_CONCURRENT,
    maxQueue: e.SANDBOX_MAX_QUEUE,
    poolSize: e.SANDBOX_POOL_SIZE,
    stateDir: e.SANDBOX_STATE_DIR,
    forceBackend: e.SANDBOX_FORCE_BACKEND,
    nodeBin,
    pinCpus: e.SANDBOX_PIN_CPUS === "1",
    toolchainDir: e.SANDBOX_TOOLCHAIN === "0" ? null : (e.SANDBOX_TOOLCHAIN_DIR ?? join(e.SANDBOX_STATE_DIR, "toolchain")),
    maxConnections: e.SANDBOX_MAX_CONNECTIONS,
    maxConnectionsPerPeer: e.SANDBOX_MAX_CONNECTIONS_PER_PEER,
    headersTimeoutMs: Math.min(e.SANDBOX_HEADERS_TIMEOUT_MS, e.SANDBOX_REQUEST_TIMEOUT_MS),
    requestTimeoutMs: e.SANDBOX_REQUEST_TIMEOUT_MS,
    keepAliveTimeoutMs: e.SANDBOX_KEEPALIVE_TIMEOUT_MS,
    egressAllowCidrs: parseCidrList(e.SANDBOX_EGRESS_ALLOW_CIDRS, "SANDBOX_EGRESS_ALLOW_CIDRS"),
    egressMaxTunnelsPerRun: e.SANDBOX_EGRESS_MAX_TUNNELS_PER_RUN,
    egressMaxTunnels: e.SANDBOX_EGRESS_MAX_TUNNELS,
    pidsLimit: e.SANDBOX_PIDS_LIMIT,
  };
}

function realpathOrThrow(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    throw new Error(`invalid sandbox-host configuration: SANDBOX_NODE_BIN ${p} does not exist`);
  }
}
