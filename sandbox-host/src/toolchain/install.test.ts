import { access, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { TOOLCHAIN_SCRATCH_DIRS } from "../runner/layout";
import { ensureToolchain, TOOLCHAIN_SRC, toolchainHash } from "./install";

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});
const temp = async (prefix: string) => {
  const d = await mkdtemp(join(tmpdir(), prefix));
  dirs.push(d);
  return d;
};

/** A layer without dependencies: `npm ci` runs for real, needs no registry and takes a second. */
async function emptyLayer(version: string): Promise<string> {
  const src = await temp("tc-src-");
  await writeFile(join(src, "package.json"), JSON.stringify({ name: "layer", version, private: true }));
  const lock = { name: "layer", version, lockfileVersion: 3, requires: true, packages: { "": { name: "layer", version } } };
  await writeFile(join(src, "package-lock.json"), JSON.stringify(lock));
  return src;
}

describe("toolchain layer install", () => {
  it("installs once per lockfile hash and reuses it after", async () => {
    const cache = await temp("tc-cache-");
    const src = await emptyLayer("1.0.0");
    const logs: string[] = [];
    const first = await ensureToolchain(cache, (m) => logs.push(m), src);
    const hash = await toolchainHash(src);
    expect(first).toEqual({ nodeModules: join(cache, hash, "node_modules"), hash, installed: true });
    // The sandbox's scratch tmpfs mounts need their mount points inside the read-only layer.
    for (const d of TOOLCHAIN_SCRATCH_DIRS) await access(join(first.nodeModules, d));
    expect(await readFile(join(cache, first.hash, "package-lock.json"), "utf8")).toContain('"lockfileVersion":3');

    const again = await ensureToolchain(cache, (m) => logs.push(m), src);
    expect(again).toEqual({ ...first, installed: false });
    expect(logs.filter((l) => l.startsWith("installing"))).toHaveLength(1);

    const upgraded = await ensureToolchain(cache, () => undefined, await emptyLayer("1.0.1"));
    expect(upgraded.installed).toBe(true);
    expect(upgraded.hash).not.toBe(first.hash);
  }, 120_000);

  it("leaves nothing usable behind when npm ci fails", async () => {
    const cache = await temp("tc-cache-");
    const src = await emptyLayer("1.0.0");
    await writeFile(join(src, "package-lock.json"), "{ not json");
    await expect(ensureToolchain(cache, () => undefined, src)).rejects.toThrow(/npm ci of the toolchain layer failed/);
    await expect(access(join(cache, await toolchainHash(src)))).rejects.toThrow();
  }, 120_000);

  it("hashes the real layer's package.json and lockfile", async () => {
    expect(await toolchainHash(TOOLCHAIN_SRC)).toMatch(/^[0-9a-f]{16}$/);
  });
});
