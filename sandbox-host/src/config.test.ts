import { mkdtemp, rm, symlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { defaultNodeBin, loadConfig } from "./config";

const SECRET = { SANDBOX_SECRET: "0123456789abcdef0123" };
const REPO_NODE = fileURLToPath(new URL("../../node_modules/node/bin/node", import.meta.url));

describe("SANDBOX_NODE_BIN", () => {
  it("defaults to the repo's node_modules/node binary, whatever PATH says", () => {
    expect(loadConfig({ ...SECRET, PATH: "/usr/bin:/bin" }).nodeBin).toBe(REPO_NODE);
    expect(defaultNodeBin("")).toBe(REPO_NODE);
  });

  it("takes an explicit absolute path and resolves symlinks (the target is what gets bind-mounted)", async () => {
    const dir = await mkdtemp(join(tmpdir(), "pxsb-cfg-"));
    try {
      const link = join(dir, "node");
      await symlink(REPO_NODE, link);
      expect(loadConfig({ ...SECRET, SANDBOX_NODE_BIN: link }).nodeBin).toBe(REPO_NODE);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("pins sandboxes to CPUs unless SANDBOX_PIN_CPUS=0", () => {
    expect(loadConfig(SECRET).pinCpus).toBe(true);
    expect(loadConfig({ ...SECRET, SANDBOX_PIN_CPUS: "0" }).pinCpus).toBe(false);
    expect(() => loadConfig({ ...SECRET, SANDBOX_PIN_CPUS: "yes" })).toThrow(/SANDBOX_PIN_CPUS/);
  });

  it("refuses a relative or missing path", () => {
    expect(() => loadConfig({ ...SECRET, SANDBOX_NODE_BIN: "node" })).toThrow(/SANDBOX_NODE_BIN must be an absolute path/);
    expect(() => loadConfig({ ...SECRET, SANDBOX_NODE_BIN: "/nonexistent/node" })).toThrow(/does not exist/);
  });
});

describe("hardening settings", () => {
  it("has documented defaults", () => {
    expect(loadConfig({ ...SECRET, PATH: "/usr/bin" })).toMatchObject({
      pidsLimit: 512,
      maxConnections: 256,
      maxConnectionsPerPeer: 64,
      headersTimeoutMs: 10_000,
      requestTimeoutMs: 30_000,
      keepAliveTimeoutMs: 5_000,
      egressAllowCidrs: [],
      egressMaxTunnelsPerRun: 32,
      egressMaxTunnels: 256,
    });
  });

  it("parses the egress allow list and refuses a malformed one, naming the variable", () => {
    expect(loadConfig({ ...SECRET, SANDBOX_EGRESS_ALLOW_CIDRS: "10.20.0.0/16, fd00:1::/48" }).egressAllowCidrs).toEqual([
      { address: "10.20.0.0", prefix: 16, family: "ipv4" },
      { address: "fd00:1::", prefix: 48, family: "ipv6" },
    ]);
    expect(() => loadConfig({ ...SECRET, SANDBOX_EGRESS_ALLOW_CIDRS: "10.20.0.0" })).toThrow(/SANDBOX_EGRESS_ALLOW_CIDRS: '10.20.0.0'/);
  });

  it("keeps the headers timeout within the request timeout (Node requires it)", () => {
    expect(loadConfig({ ...SECRET, SANDBOX_HEADERS_TIMEOUT_MS: "20000", SANDBOX_REQUEST_TIMEOUT_MS: "5000" }).headersTimeoutMs).toBe(5_000);
  });
});
