import type { Layout } from "./layout";
import { SANDBOX_NODE, SANDBOX_PATH, TOOLCHAIN_MOUNT, TOOLCHAIN_SCRATCH_DIRS } from "./layout";

export const SANDBOX_UID = 65534;
/** Sized so the workspace + tmp cannot outgrow the memory cgroup by much (tmpfs is sandbox memory). */
const TMPFS_SIZE = "size=256m";
const SCRATCH_TMPFS_SIZE = "size=64m";

type Mount = { destination: string; type: string; source: string; options?: string[] };
const tmpfs = (dst: string, size: string): Mount => ({
  destination: dst,
  type: "tmpfs",
  source: "tmpfs",
  options: ["nosuid", "nodev", "mode=1777", size],
});

/** OCI spec of one sandbox: the supervisor as init, host /usr and /etc, our node and the toolchain layer read-only, writable tmpfs /work and /tmp. */
export function buildSpec(layout: Layout, cgroupsPath: string, withNetwork: boolean, prewarm: boolean): Record<string, unknown> {
  const ro = (src: string, dst: string): Mount => ({
    destination: dst,
    type: "bind",
    source: src,
    options: ["rbind", "ro", "nosuid", "nodev"],
  });
  const mounts: Mount[] = [
    { destination: "/proc", type: "proc", source: "proc" },
    ro("/usr", "/usr"),
    ro("/etc", "/etc"),
    ro(layout.supervisorDir, "/.pxsb"),
    ro(layout.nodeBin, SANDBOX_NODE),
    tmpfs("/tmp", TMPFS_SIZE),
    tmpfs("/work", TMPFS_SIZE),
    // Inside /work, so after it: mounts apply in order.
    ...(layout.toolchain
      ? [ro(layout.toolchain, TOOLCHAIN_MOUNT), ...TOOLCHAIN_SCRATCH_DIRS.map((d) => tmpfs(`${TOOLCHAIN_MOUNT}/${d}`, SCRATCH_TMPFS_SIZE))]
      : []),
  ];
  const namespaces = [{ type: "pid" }, { type: "ipc" }, { type: "uts" }, { type: "mount" }, ...(withNetwork ? [] : [{ type: "network" }])];
  return {
    ociVersion: "1.0.0",
    process: {
      terminal: false,
      user: { uid: SANDBOX_UID, gid: SANDBOX_UID },
      args: ["/usr/bin/python3", "-I", "-S", "/.pxsb/supervisor.py"],
      env: [`PATH=${SANDBOX_PATH}`, "LANG=C.UTF-8", `PXSB_PREWARM=${prewarm ? 1 : 0}`],
      cwd: "/",
      capabilities: { bounding: [], effective: [], inheritable: [], permitted: [], ambient: [] },
      noNewPrivileges: true,
    },
    root: { path: layout.rootfs, readonly: true },
    hostname: "sandbox",
    mounts,
    linux: { namespaces, cgroupsPath },
  };
}
