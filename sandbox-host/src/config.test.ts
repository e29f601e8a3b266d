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
