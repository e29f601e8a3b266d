import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { mkdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Isolation } from "@proximus/contracts/sandbox";
import type { Cgroup } from "./cgroup";
import { SANDBOX_NODE, SANDBOX_PATH, TOOLCHAIN_MOUNT, TOOLCHAIN_SCRATCH_DIRS, type Layout } from "./layout";
import { buildSpec, SANDBOX_UID } from "./spec";

/** `taskset` to one CPU (see CpuPlacer); the sandbox's processes inherit the affinity. */
const pinned = (argv: string[], cpu: number | null): string[] => (cpu === null ? argv : ["taskset", "-c", String(cpu), ...argv]);

/**
 * Starts the isolation backend with the supervisor as its first process and returns the host
 * end of its stdio. Both backends get the same filesystem view and the same cgroup.
 */
export async function launch(
  backend: Isolation,
  id: string,
  layout: Layout,
  cgroup: Cgroup,
  netns: string | null,
  prewarm: boolean,
  cpu: number | null,
): Promise<ChildProcessWithoutNullStreams> {
  // nsenter, not `ip netns exec`: the latter remounts /sys, hiding the cgroup tree runsc must join.
  const netPrefix = netns ? ["nsenter", `--net=/run/netns/${netns}`, "--"] : [];
  if (backend === "gvisor") {
    const bundle = join(layout.bundles, id);
    await mkdir(bundle, { recursive: true, mode: 0o700 });
    await writeFile(join(bundle, "config.json"), JSON.stringify(buildSpec(layout, cgroup.specPath, netns !== null, prewarm)));
    // exclusive: the sentry may cache the read-only bind mounts (host /usr, /etc, node) instead of
    // revalidating every lookup with the gofer; a single-use sandbox never needs to see host updates.
    const runsc = [
      "runsc",
      "--root",
      layout.runscRoot,
      `--network=${netns ? "host" : "none"}`,
      "--host-uds=none",
      "--file-access-mounts=exclusive",
      "run",
      "--bundle",
      bundle,
      id,
    ];
    const argv = pinned([...netPrefix, ...runsc], cpu);
    return spawn(argv[0] as string, argv.slice(1), {
      stdio: ["pipe", "pipe", "pipe"],
      env: { PATH: process.env.PATH ?? "/usr/sbin:/usr/bin:/sbin:/bin" },
    });
  }
  const bwrap = [
    "bwrap",
    "--unshare-user",
    "--unshare-pid",
    "--unshare-ipc",
    "--unshare-uts",
    "--unshare-cgroup",
    ...(netns ? [] : ["--unshare-net"]),
    "--uid",
    String(SANDBOX_UID),
    "--gid",
    String(SANDBOX_UID),
    "--die-with-parent",
    "--new-session",
    "--cap-drop",
    "ALL",
    "--ro-bind",
    "/usr",
    "/usr",
    "--ro-bind",
    "/etc",
    "/etc",
    "--symlink",
    "usr/bin",
    "/bin",
    "--symlink",
    "usr/lib",
    "/lib",
    "--symlink",
    "usr/lib64",
    "/lib64",
    "--symlink",
    "usr/sbin",
    "/sbin",
    "--proc",
    "/proc",
    "--dev",
    "/dev",
    "--tmpfs",
    "/tmp",
    "--tmpfs",
    "/work",
    "--ro-bind",
    layout.supervisorDir,
    "/.pxsb",
    "--ro-bind",
    layout.nodeBin,
    SANDBOX_NODE,
    ...(layout.toolchain
      ? ["--ro-bind", layout.toolchain, TOOLCHAIN_MOUNT, ...TOOLCHAIN_SCRATCH_DIRS.flatMap((d) => ["--tmpfs", `${TOOLCHAIN_MOUNT}/${d}`])]
      : []),
    "--remount-ro",
    "/",
    "--chdir",
    "/",
    "--clearenv",
    "--setenv",
    "PATH",
    SANDBOX_PATH,
    "--setenv",
    "LANG",
    "C.UTF-8",
    "--setenv",
    "PXSB_PREWARM",
    prewarm ? "1" : "0",
    "/usr/bin/python3",
    "-I",
    "-S",
    "/.pxsb/supervisor.py",
  ];
  // The shell joins the cgroup before exec, so bwrap and everything it forks are inside it.
  const script = 'for d in $PXSB_CG; do echo $$ > "$d/cgroup.procs" || exit 97; done; exec "$@"';
  const argv = pinned(["/bin/sh", "-c", script, "sh", ...netPrefix, ...bwrap], cpu);
  return spawn(argv[0] as string, argv.slice(1), {
    stdio: ["pipe", "pipe", "pipe"],
    env: { PATH: process.env.PATH ?? "/usr/sbin:/usr/bin:/sbin:/bin", PXSB_CG: cgroup.dirs().join(" ") },
  });
}

/** Best-effort teardown of what `launch` created outside the cgroup. */
export async function unlaunch(backend: Isolation, id: string, layout: Layout): Promise<void> {
  if (backend === "gvisor") {
    await runQuiet(["runsc", "--root", layout.runscRoot, "kill", "--all", id, "KILL"]);
    await runQuiet(["runsc", "--root", layout.runscRoot, "delete", "--force", id]);
    await rm(join(layout.bundles, id), { recursive: true, force: true });
  }
}

export function runQuiet(argv: string[], timeoutMs = 10_000): Promise<{ code: number | null; stdout: string }> {
  return new Promise((resolve) => {
    const p = spawn(argv[0] as string, argv.slice(1), { stdio: ["ignore", "pipe", "ignore"], timeout: timeoutMs, killSignal: "SIGKILL" });
    let stdout = "";
    p.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    p.on("error", () => resolve({ code: null, stdout }));
    p.on("close", (code) => resolve({ code, stdout }));
  });
}
