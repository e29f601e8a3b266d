import { describe, expect, it } from "vitest";
import type { Layout } from "./layout";
import { TOOLCHAIN_MOUNT } from "./layout";
import { buildSpec } from "./spec";

const layout: Layout = {
  stateDir: "/s",
  runscRoot: "/s/runsc",
  bundles: "/s/b",
  rootfs: "/s/rootfs",
  supervisorDir: "/s/sup",
  nodeBin: "/n/node",
  instance: "abc123",
  pidsLimit: 512,
};
type M = { destination: string; type: string; source: string; options?: string[] };
const mounts = (l: Layout) => (buildSpec(l, "/cg", false, false) as { mounts: M[] }).mounts;

describe("sandbox spec: the toolchain layer", () => {
  it("binds the layer read-only at /work/node_modules, after the /work tmpfs, with scratch tmpfs over the dirs tools write", () => {
    const m = mounts({ ...layout, toolchain: "/cache/abc/node_modules" });
    const at = (d: string) => m.findIndex((x) => x.destination === d);
    expect(TOOLCHAIN_MOUNT).toBe("/work/node_modules");
    const options = ["rbind", "ro", "nosuid", "nodev"];
    expect(m[at(TOOLCHAIN_MOUNT)]).toEqual({ destination: "/work/node_modules", type: "bind", source: "/cache/abc/node_modules", options });
    expect(at(TOOLCHAIN_MOUNT)).toBeGreaterThan(at("/work"));
    for (const d of [".vite-temp", ".vite", ".cache"]) {
      expect(m[at(`/work/node_modules/${d}`)]).toMatchObject({ type: "tmpfs" });
      expect(at(`/work/node_modules/${d}`)).toBeGreaterThan(at(TOOLCHAIN_MOUNT));
    }
  });

  it("mounts nothing there without a layer", () => {
    expect(mounts(layout).some((x) => x.destination.startsWith(TOOLCHAIN_MOUNT))).toBe(false);
    expect(mounts({ ...layout, toolchain: null }).some((x) => x.destination.startsWith(TOOLCHAIN_MOUNT))).toBe(false);
  });
});
