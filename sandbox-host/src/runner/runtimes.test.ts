import { chmod, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { defaultNodeBin } from "../config";
import { MIN_NODE, atLeast, probeRuntimes } from "./runtimes";

describe("runtime versions", () => {
  it("compares versions numerically", () => {
    expect(atLeast("v22.13.0", MIN_NODE)).toBe(true);
    expect(atLeast("v22.23.3", MIN_NODE)).toBe(true);
    expect(atLeast("v23.0.0", MIN_NODE)).toBe(true);
    expect(atLeast("v22.12.9", MIN_NODE)).toBe(false);
    expect(atLeast("v20.20.2", MIN_NODE)).toBe(false);
    expect(atLeast("v100.0.0", MIN_NODE)).toBe(true);
    expect(atLeast("garbage", MIN_NODE)).toBe(false);
  });

  it("reports the repo's node 22 and the host's python 3", async () => {
    const nodeBin = defaultNodeBin();
    expect(nodeBin).not.toBeNull();
    const r = await probeRuntimes(nodeBin as string);
    expect(r.node).toMatch(/^v2[2-9]\.\d+\.\d+$/);
    expect(atLeast(r.node, MIN_NODE)).toBe(true);
    expect(r.python).toMatch(/^3\.\d+\.\d+/);
  });

  it("refuses a node older than 22.13 and one that does not run", async () => {
    const dir = await mkdtemp(join(tmpdir(), "pxsb-fake-node-"));
    try {
      const old = join(dir, "node-old");
      await writeFile(old, "#!/bin/sh\necho v20.20.2\n");
      await chmod(old, 0o755);
      await expect(probeRuntimes(old)).rejects.toThrow(/v20\.20\.2; sandboxes need node >= 22\.13\.0/);
      const broken = join(dir, "node-broken");
      await writeFile(broken, "#!/bin/sh\nexit 3\n");
      await chmod(broken, 0o755);
      await expect(probeRuntimes(broken)).rejects.toThrow(/does not run/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
