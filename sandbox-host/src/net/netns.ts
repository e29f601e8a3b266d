import { runQuiet } from "../runner/launch";

export const NFT_TABLE = "pxsb";
export const PROXY_PORT = 3128;
const NETNS_PREFIX = "pxsb-";
const VETH_HOST_PREFIX = "pxh";

/**
 * Host firewall for every sandbox veth: a sandbox may open TCP to its own proxy address and port,
 * nothing else on the host (no service ports, no loopback via the veth), and nothing is forwarded.
 */
const RULESET = `
table inet ${NFT_TABLE} {
  set proxies { type ifname . ipv4_addr; }
  chain input {
    type filter hook input priority -10; policy accept;
    iifname "${VETH_HOST_PREFIX}*" iifname . ip daddr @proxies tcp dport ${PROXY_PORT} accept
    iifname "${VETH_HOST_PREFIX}*" drop
  }
  chain forward {
    type filter hook forward priority -10; policy accept;
    iifname "${VETH_HOST_PREFIX}*" drop
    oifname "${VETH_HOST_PREFIX}*" drop
  }
}
`;

async function must(argv: string[], input?: string): Promise<void> {
  const { spawn } = await import("node:child_process");
  await new Promise<void>((resolve, reject) => {
    const p = spawn(argv[0] as string, argv.slice(1), { stdio: ["pipe", "ignore", "pipe"] });
    let err = "";
    p.stderr.on("data", (d: Buffer) => (err += d.toString()));
    p.on("error", reject);
    p.on("close", (code) => (code === 0 ? resolve() : reject(new Error(`${argv.join(" ")} failed: ${err.trim()}`))));
    // A command that fails early closes its stdin; the exit code carries the error, not EPIPE.
    p.stdin.on("error", () => undefined);
    p.stdin.end(input ?? "");
  });
}

/** Replaces the table wholesale, dropping anything a crashed predecessor left in it. */
export async function installFirewall(): Promise<void> {
  await runQuiet(["nft", "delete", "table", "inet", NFT_TABLE]);
  await must(["nft", "-f", "-"], RULESET);
}

export async function removeFirewall(): Promise<void> {
  await runQuiet(["nft", "delete", "table", "inet", NFT_TABLE]);
}

export type NetnsHandle = { netns: string; hostIf: string; hostIp: string; sandboxIp: string; index: number };

const inUse = new Set<number>();

/** Netns + veth for one run; its only way out is the proxy on the host end. */
export async function createNetns(id: string): Promise<NetnsHandle> {
  let index = 0;
  for (let i = 1; i <= 250; i++) if (!inUse.has(i)) { index = i; break; }
  if (index === 0) throw new Error("no free sandbox subnet");
  inUse.add(index);
  const short = id.replace(/^pxsb-/, "").slice(0, 10);
  const h: NetnsHandle = { netns: `${NETNS_PREFIX}${short}`, hostIf: `${VETH_HOST_PREFIX}${short}`, hostIp: `10.231.${index}.1`, sandboxIp: `10.231.${index}.2`, index };
  const peer = `pxs${short}`;
  try {
    await must(["ip", "netns", "add", h.netns]);
    await must(["ip", "link", "add", h.hostIf, "type", "veth", "peer", "name", peer]);
    await must(["ip", "link", "set", peer, "netns", h.netns]);
    await runQuiet(["sysctl", "-q", "-w", `net.ipv6.conf.${h.hostIf}.disable_ipv6=1`]);
    await must(["ip", "addr", "add", `${h.hostIp}/24`, "dev", h.hostIf]);
    await must(["ip", "link", "set", h.hostIf, "up"]);
    const inNs = ["ip", "netns", "exec", h.netns];
    await runQuiet([...inNs, "sysctl", "-q", "-w", "net.ipv6.conf.all.disable_ipv6=1"]);
    await must([...inNs, "ip", "link", "set", "lo", "up"]);
    await must([...inNs, "ip", "addr", "add", `${h.sandboxIp}/24`, "dev", peer]);
    await must([...inNs, "ip", "link", "set", peer, "up"]);
    await must([...inNs, "ip", "route", "add", "default", "via", h.hostIp]);
    await must(["nft", "add", "element", "inet", NFT_TABLE, "proxies", `{ ${h.hostIf} . ${h.hostIp} }`]);
  } catch (e) {
    await destroyNetns(h);
    throw e;
  }
  return h;
}

export async function destroyNetns(h: NetnsHandle): Promise<void> {
  await runQuiet(["nft", "delete", "element", "inet", NFT_TABLE, "proxies", `{ ${h.hostIf} . ${h.hostIp} }`]);
  await runQuiet(["ip", "link", "del", h.hostIf]);
  await runQuiet(["ip", "netns", "del", h.netns]);
  inUse.delete(h.index);
}

/** Netns and veths a crashed predecessor left behind. */
export async function removeLeftoverNetworks(): Promise<string[]> {
  const removed: string[] = [];
  const ns = await runQuiet(["ip", "netns", "list"]);
  for (const line of ns.stdout.split("\n")) {
    const name = line.split(" ")[0] ?? "";
    if (name.startsWith(NETNS_PREFIX)) {
      await runQuiet(["ip", "netns", "del", name]);
      removed.push(name);
    }
  }
  const links = await runQuiet(["ip", "-o", "link", "show"]);
  for (const line of links.stdout.split("\n")) {
    const name = (line.split(": ")[1] ?? "").split("@")[0] ?? "";
    if (name.startsWith(VETH_HOST_PREFIX)) {
      await runQuiet(["ip", "link", "del", name]);
      removed.push(name);
    }
  }
  return removed;
}
