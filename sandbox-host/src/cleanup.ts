import { readdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { Cgroup, leftoverCgroups } from "./runner/cgroup";
import { runQuiet } from "./runner/launch";
import type { Layout } from "./runner/layout";
import { removeLeftoverNetworks } from "./net/netns";
import { releaseSubnetsOf } from "./net/subnets";

/**
 * Removes everything a previous sandbox-host (crashed, SIGKILLed, rebooted mid-run) may have left:
 * runsc containers, their cgroups and processes, bundles, netns and veths (this instance's only).
 * Safe only while no other sandbox-host uses the same state dir.
 */
export async function sweepLeftovers(layout: Layout): Promise<string[]> {
  const removed: string[] = [];
  const list = await runQuiet(["runsc", "--root", layout.runscRoot, "list", "-quiet"]);
  for (const id of list.stdout
    .split("\n")
    .map((s) => s.trim())
    .filter(Boolean)) {
    await runQuiet(["runsc", "--root", layout.runscRoot, "kill", "--all", id, "KILL"]);
    await runQuiet(["runsc", "--root", layout.runscRoot, "delete", "--force", id]);
    removed.push(`container ${id}`);
  }
  for (const name of await leftoverCgroups(layout.instance)) {
    await new Cgroup(name).destroy().catch(() => undefined);
    removed.push(`cgroup ${name}`);
  }
  for (const b of await readdir(layout.bundles).catch(() => [])) {
    await rm(join(layout.bundles, b), { recursive: true, force: true });
    removed.push(`bundle ${b}`);
  }
  for (const n of await removeLeftoverNetworks(layout.instance)) removed.push(`network ${n}`);
  for (const s of await releaseSubnetsOf(layout.instance)) removed.push(`subnet lock ${s}`);
  return removed;
}
