import { mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";

/** Machine-wide, shared by every sandbox-host (and test helper) on this machine. */
const LOCK_ROOT = "/run/proximus-sandbox/subnets";

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
};

/**
 * Claims one /24 of `prefix` (e.g. "10.231") for this process: a mkdir lock per subnet, so two
 * sandbox-hosts never give the same address to two veths. A lock whose owner process is gone
 * (crash, kill -9) is taken over.
 */
export async function claimSubnet(prefix: string, owner: string): Promise<{ index: number; release: () => Promise<void> }> {
  await mkdir(LOCK_ROOT, { recursive: true, mode: 0o700 });
  for (let index = 1; index <= 250; index++) {
    const dir = join(LOCK_ROOT, `${prefix}.${index}`);
    const taken = await mkdir(dir).then(
      () => false,
      () => true,
    );
    if (taken) {
      const pid = Number((await readFile(join(dir, "owner"), "utf8").catch(() => "")).split(" ")[0]);
      // No owner file yet: another process is between its mkdir and its write; leave it.
      if (!pid || alive(pid)) continue;
      await rm(dir, { recursive: true, force: true });
      if (
        !(await mkdir(dir).then(
          () => true,
          () => false,
        ))
      )
        continue;
    }
    await writeFile(join(dir, "owner"), `${process.pid} ${owner}\n`);
    return { index, release: () => rm(dir, { recursive: true, force: true }) };
  }
  throw new Error(`no free ${prefix}.x/24 subnet on this machine`);
}

/** Locks a crashed predecessor of `owner` (same instance) left: its start-up sweep frees them. */
export async function releaseSubnetsOf(owner: string): Promise<string[]> {
  const freed: string[] = [];
  for (const name of await readdir(LOCK_ROOT).catch(() => [] as string[])) {
    const dir = join(LOCK_ROOT, name);
    const [pid, who] = (await readFile(join(dir, "owner"), "utf8").catch(() => "")).trim().split(" ");
    if (who === owner && Number(pid) !== process.pid) {
      await rm(dir, { recursive: true, force: true });
      freed.push(name);
    }
  }
  return freed;
}
