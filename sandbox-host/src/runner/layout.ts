import { chmod, copyFile, lstat, mkdir, symlink, writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { createHash } from "node:crypto";
import { dirname, join, resolve } from "node:path";
import { DEFAULT_PIDS_LIMIT } from "./limits";

/** Where a sandbox-host keeps its runtime state; one directory so cleanup has one place to look. */
export type Layout = {
  stateDir: string;
  runscRoot: string;
  bundles: string;
  /** Empty skeleton root: only /usr and /etc of the host are bound in, read-only. */
  rootfs: string;
  supervisorDir: string;
  /** Host path of the node binary bind-mounted (read-only) at SANDBOX_NODE in every sandbox. */
  nodeBin: string;
  /** Host path of the toolchain layer's node_modules (read-only at TOOLCHAIN_MOUNT); absent or null without one. */
  toolchain?: string | null;
  /**
   * Names this sandbox-host's sandboxes (`pxsb-<instance>-…`), so its leftover sweep never
   * touches the cgroups of another one on the same machine (e.g. a test instance).
   */
  instance: string;
  /** Tasks each sandbox of this instance may hold (SANDBOX_PIDS_LIMIT). */
  pidsLimit: number;
};

/** The host's own dirs on the sandbox PATH (bound read-only through /usr). */
export const HOST_PATH_DIRS = ["/usr/local/bin", "/usr/bin", "/bin"] as const;
/** First on PATH, so `node` in a sandbox is SANDBOX_NODE_BIN, not whatever node the host's /usr has. */
export const SANDBOX_NODE_DIR = "/opt/proximus/node/bin";
export const SANDBOX_NODE = `${SANDBOX_NODE_DIR}/node`;
/**
 * The toolchain layer is the workspace's own node_modules, exactly where `npm ci` would put it on a
 * developer's machine: imports of `hono`, `vitest`, … resolve from /work with no NODE_PATH (which ESM
 * ignores) and no symlink, and tools that treat node_modules inside the project root specially
 * (@cloudflare/vitest-plugin loads vitest into workerd only from there) see what they expect. Its bins
 * (tsc, vitest, vite, wrangler) are on PATH. runsc and bwrap create the mount point in the /work tmpfs.
 */
export const TOOLCHAIN_MOUNT = "/work/node_modules";
/**
 * Directories inside node_modules that tools write to (Vite bundles its config into `.vite-temp`,
 * its default cache is `.vite`, wrangler's is `.cache`): each gets a small tmpfs over the read-only
 * layer, so unmodified projects work. The layer install creates them as mount points.
 */
export const TOOLCHAIN_SCRATCH_DIRS = [".vite-temp", ".vite", ".cache"] as const;
export const SANDBOX_PATH = [SANDBOX_NODE_DIR, `${TOOLCHAIN_MOUNT}/.bin`, ...HOST_PATH_DIRS].join(":");
const SUPERVISOR_SRC = fileURLToPath(new URL("./supervisor.py", import.meta.url));

export const instanceTag = (stateDir: string): string => createHash("sha256").update(resolve(stateDir)).digest("hex").slice(0, 6);

export async function ensureLayout(stateDir: string, nodeBin: string, pidsLimit = DEFAULT_PIDS_LIMIT): Promise<Layout> {
  const l: Layout = {
    stateDir,
    runscRoot: join(stateDir, "runsc"),
    bundles: join(stateDir, "bundles"),
    rootfs: join(stateDir, "rootfs"),
    supervisorDir: join(stateDir, "supervisor"),
    nodeBin,
    instance: instanceTag(stateDir),
    pidsLimit,
  };
  for (const d of [l.runscRoot, l.bundles]) await mkdir(d, { recursive: true, mode: 0o700 });
  // The sandbox user must read the supervisor and traverse the rootfs; nothing else here is shared.
  await mkdir(l.supervisorDir, { recursive: true });
  await chmod(l.supervisorDir, 0o755);
  for (const d of ["usr", "etc", "proc", "dev", "tmp", "work", ".pxsb"]) await mkdir(join(l.rootfs, d), { recursive: true, mode: 0o755 });
  // Debian is merged-/usr: recreate its top-level links instead of binding more of the host.
  for (const [name, target] of [
    ["bin", "usr/bin"],
    ["lib", "usr/lib"],
    ["lib64", "usr/lib64"],
    ["sbin", "usr/sbin"],
  ] as const) {
    const exists = await lstat(join(l.rootfs, name)).then(
      () => true,
      () => false,
    );
    if (!exists) await symlink(target, join(l.rootfs, name));
  }
  // A read-only root cannot grow mount points at run time, so the node bind target exists up front.
  await mkdir(join(l.rootfs, SANDBOX_NODE_DIR), { recursive: true, mode: 0o755 });
  for (let d = SANDBOX_NODE_DIR; d !== "/"; d = dirname(d)) await chmod(join(l.rootfs, d), 0o755);
  const nodeTarget = join(l.rootfs, SANDBOX_NODE);
  if (
    !(await lstat(nodeTarget).then(
      () => true,
      () => false,
    ))
  )
    await writeFile(nodeTarget, "", { mode: 0o755 });
  await copyFile(SUPERVISOR_SRC, join(l.supervisorDir, "supervisor.py"));
  await chmod(join(l.supervisorDir, "supervisor.py"), 0o644);
  await chmod(l.rootfs, 0o755);
  return l;
}
