import { readdir } from "node:fs/promises";
import { runQuiet } from "../runner/launch";
import { leftoverCgroups } from "../runner/cgroup";
import { instanceTag } from "../runner/layout";
import { netNames } from "../net/netns";

/**
 * What a run could leave on the host: compared before and after the hostile suite. Scoped to this
 * instance (other sandbox-hosts may run on this machine meanwhile).
 */
export async function hostSnapshot(stateDir: string): Promise<Record<string, string[]>> {
  const lines = async (argv: string[]) =>
    (await runQuiet(argv)).stdout
      .split("\n")
      .map((s) => s.trim())
      .filter(Boolean)
      .sort();
  const n = netNames(instanceTag(stateDir));
  const links = (await lines(["ip", "-o", "link", "show"]))
    .map((l) => (l.split(": ")[1] ?? "").split("@")[0] ?? "")
    .filter((x) => x.startsWith(n.vethHostPrefix) || x.startsWith(n.vethPeerPrefix));
  const procs = (await lines(["ps", "-eo", "args"])).filter((a) => /runsc|bwrap/.test(a) && a.includes(stateDir));
  return {
    netns: (await lines(["ip", "netns", "list"])).filter((x) => x.startsWith(n.netnsPrefix)),
    links,
    nftTables: (await lines(["nft", "list", "tables"])).filter((t) => t.endsWith(` ${n.table}`)),
    cgroups: await leftoverCgroups(instanceTag(stateDir)),
    bundles: await readdir(`${stateDir}/bundles`).catch(() => []),
    runscContainers: await lines(["runsc", "--root", `${stateDir}/runsc`, "list", "-quiet"]),
    sandboxProcesses: procs,
  };
}
