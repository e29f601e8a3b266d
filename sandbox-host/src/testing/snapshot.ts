import { readdir } from "node:fs/promises";
import { runQuiet } from "../runner/launch";
import { leftoverCgroups } from "../runner/cgroup";
import { instanceTag } from "../runner/layout";

/**
 * What a run could leave on the host: compared before and after the hostile suite. Machine-wide for networks (one sandbox-host per machine owns them); scoped to this instance otherwise.
 */
export async function hostSnapshot(stateDir: string): Promise<Record<string, string[]>> {
  const lines = async (argv: string[]) => (await runQuiet(argv)).stdout.split("\n").map((s) => s.trim()).filter(Boolean).sort();
  const links = (await lines(["ip", "-o", "link", "show"])).map((l) => (l.split(": ")[1] ?? "").split("@")[0] ?? "").filter((n) => n.startsWith("pxh") || n.startsWith("pxs"));
  const procs = (await lines(["ps", "-eo", "args"])).filter((a) => (/runsc|bwrap/.test(a) && a.includes(stateDir)) || /supervisor\.py/.test(a));
  return {
    netns: (await lines(["ip", "netns", "list"])).filter((n) => n.startsWith("pxsb-")),
    links,
    nftTables: (await lines(["nft", "list", "tables"])).filter((t) => t.includes("pxsb")),
    cgroups: await leftoverCgroups(instanceTag(stateDir)),
    bundles: await readdir(`${stateDir}/bundles`).catch(() => []),
    runscContainers: await lines(["runsc", "--root", `${stateDir}/runsc`, "list", "-quiet"]),
    sandboxProcesses: procs,
  };
}
