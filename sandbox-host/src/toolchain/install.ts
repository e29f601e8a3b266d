import { spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { access, chmod, copyFile, mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { TOOLCHAIN_SCRATCH_DIRS } from "../runner/layout";

/** The layer's definition: toolchain/package.json + toolchain/package-lock.json (the one file to change to upgrade). */
export const TOOLCHAIN_SRC = fileURLToPath(new URL("../../../toolchain/", import.meta.url));
/** Written last, so a directory without it is an interrupted install, never used. */
const COMPLETE = ".complete";
const INSTALL_TIMEOUT_MS = 10 * 60_000;

export type Toolchain = {
  /** Host path of the installed node_modules, bind-mounted read-only into every sandbox. */
  nodeModules: string;
  /** First 16 hex digits of sha256(package.json + package-lock.json): the install's identity. */
  hash: string;
  /** Whether this call installed it (false: an earlier install with the same hash was reused). */
  installed: boolean;
};

export async function toolchainHash(src = TOOLCHAIN_SRC): Promise<string> {
  const h = createHash("sha256");
  for (const f of ["package.json", "package-lock.json"])
    h.update(f)
      .update("\0")
      .update(await readFile(join(src, f)))
      .update("\0");
  return h.digest("hex").slice(0, 16);
}

const exists = (p: string) =>
  access(p).then(
    () => true,
    () => false,
  );

/**
 * Idempotent, keyed by the lockfile hash: `<cacheDir>/<hash>/node_modules` is installed once with
 * `npm ci --ignore-scripts` (workerd, esbuild, rolldown and lightningcss ship their binaries as
 * platform packages, so no install script is needed) into a temporary directory that is renamed
 * into place when complete. Needs the npm registry only the first time.
 */
export async function ensureToolchain(cacheDir: string, log: (m: string) => void, src = TOOLCHAIN_SRC): Promise<Toolchain> {
  const hash = await toolchainHash(src);
  const target = join(cacheDir, hash);
  const nodeModules = join(target, "node_modules");
  if (await exists(join(target, COMPLETE))) return { nodeModules, hash, installed: false };

  // The sandbox user (65534) must traverse the cache to the bind-mount source under runsc's gofer and bwrap.
  await mkdir(cacheDir, { recursive: true });
  await chmod(cacheDir, 0o755);
  const tmp = join(cacheDir, `.${hash}.${randomBytes(4).toString("hex")}`);
  await mkdir(tmp, { mode: 0o755 });
  try {
    for (const f of ["package.json", "package-lock.json"]) await copyFile(join(src, f), join(tmp, f));
    log(`installing the toolchain layer ${hash} (npm ci) into ${target}`);
    const started = Date.now();
    await npmCi(tmp);
    // Mount points of the sandbox's scratch tmpfs mounts (a read-only layer cannot grow them at run time).
    for (const d of TOOLCHAIN_SCRATCH_DIRS) await mkdir(join(tmp, "node_modules", d), { recursive: true, mode: 0o755 });
    await writeFile(join(tmp, COMPLETE), `${new Date().toISOString()}\n`);
    await rename(tmp, target).catch(async (e: unknown) => {
      // Another process finished the same install first: theirs is as good as ours.
      if (!(await exists(join(target, COMPLETE)))) throw e;
    });
    log(`toolchain layer ${hash} installed in ${Math.round((Date.now() - started) / 1000)} s`);
    return { nodeModules, hash, installed: true };
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

function npmCi(dir: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const p = spawn("npm", ["ci", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"], {
      cwd: dir,
      stdio: ["ignore", "pipe", "pipe"],
      timeout: INSTALL_TIMEOUT_MS,
      killSignal: "SIGKILL",
      env: { ...process.env, npm_config_update_notifier: "false", npm_config_umask: "022" },
    });
    let out = "";
    const keep = (d: Buffer) => (out = (out + d.toString()).slice(-4000));
    p.stdout.on("data", keep);
    p.stderr.on("data", keep);
    p.on("error", reject);
    p.on("close", (code) => {
      if (code === 0) resolve();
      else reject(new Error(`npm ci of the toolchain layer failed (exit ${code}): ${out.trim()}`));
    });
  });
}
