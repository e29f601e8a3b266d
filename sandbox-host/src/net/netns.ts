import { runQuiet } from "../runner/launch";
import { claimSubnet } from "./subnets";

export const PROXY_PORT = 3128;

/**
 * Names of one sandbox-host instance's network objects. Everything carries the instance tag (see
 * Layout.instance), so one host's start-up sweep and stop never touch another host's table,
 * netns or veths. Interface names must fit IFNAMSIZ (15 characters).
 */
export type NetNames = { table: string; netnsPrefix: string; vethHostPrefix: string; vethPeerPrefix: string };

// Prefixes unlike the machine-wide ones of earlier versions (`pxsb-*` netns, `pxh*` veths), whose
// start-up sweep would otherwise delete this instance's networks.
export const netNames = (instance: string): NetNames => ({
  table: `pxsb_${instance}`,
  netnsPrefix: `pxnet-${instance}-`,
  vethHostPrefix: `pxv${instance}`,
  vethPeerPrefix: `pxp${instance}`,
});

/**
 * Host firewall for this instance's sandbox veths: a sandbox may open TCP to its own proxy address
 * and port, nothing else on the host (no service ports, no loopback via the veth), and nothing is
 * forwarded. Another instance's table judges its own veths; a drop in either table is final.
 */
const ruleset = (n: NetNames) => `
table inet ${n.table} {
  set proxies { type ifname . ipv4_addr; }
  chain input {
    type filter hook input priority -10; policy accept;
    iifname "${n.vethHostPrefix}*" iifname . ip daddr @proxies tcp dport ${PROXY_PORT} accept
    iifname "${n.vethHostPrefix}*" drop
  }
  chain forward {
    type filter hook forward priority -10; policy accept;
    iifname "${n.vethHostPrefix}*" drop
    oifname "${n.vethHostPrefix}*" drop
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

/** Replaces this instance's table wholesale, dropping anything a crashed predecessor left in it. */
export async function installFirewall(instance: string): Promise<void> {
  const n = netNames(instance);
  await runQuiet(["nft", "delete", "table", "inet", n.table]);
  await must(["nft", "-f", "-"], ruleset(n));
}

export async function removeFirewall(instance: string): Promise<void> {
  await runQuiet(["nft", "delete", "table", "inet", netNames(instance).table]);
}

export type NetnsHandle = { netns: string; hostIf: string; hostIp: string; sandboxIp: string; table: string; release: () => Promise<void> };

/** Netns + veth for one run; its only way out is the proxy on the host end. */
export async function createNetns(instance: string, runId: string): Promise<NetnsHandle> {
  const n = netNames(instance);
  const subnet = await claimSubnet("10.231", instance);
  const short = runId.replace(/[^0-9a-f]/g, "").slice(0, 6);
  const h: NetnsHandle = {
    netns: `${n.netnsPrefix}${short}`,
    hostIf: `${n.vethHostPrefix}${short}`,
    hostIp: `10.231.${subnet.index}.1`,
    sandboxIp: `10.231.${subnet.index}.2`,
    table: n.table,
    release: subnet.release,
  };
  const peer = `${n.vethPeerPrefix}${short}`;
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
    await must(["nft", "add", "element", "inet", h.table, "proxies", `{ ${h.hostIf} . ${h.hostIp} }`]);
  } catch (e) {
    await destroyNetns(h);
    throw e;
  }
  return h;
}

export async function destroyNetns(h: NetnsHandle): Promise<void> {
  await runQuiet(["nft", "delete", "element", "inet", h.table, "proxies", `{ ${h.hostIf} . ${h.hostIp} }`]);
  await runQuiet(["ip", "link", "del", h.hostIf]);
  await runQuiet(["ip", "netns", "del", h.netns]);
  await h.release();
}

/** This instance's netns and veths a crashed predecessor left behind; other instances' are not ours. */
export async function removeLeftoverNetworks(instance: string): Promise<string[]> {
  const n = netNames(instance);
  const removed: string[] = [];
  const ns = await runQuiet(["ip", "netns", "list"]);
  for (const line of ns.stdout.split("\n")) {
    const name = line.split(" ")[0] ?? "";
    if (name.startsWith(n.netnsPrefix)) {
      await runQuiet(["ip", "netns", "del", name]);
      removed.push(name);
    }
  }
  const links = await runQuiet(["ip", "-o", "link", "show"]);
  for (const line of links.stdout.split("\n")) {
    const name = (line.split(": ")[1] ?? "").split("@")[0] ?? "";
    if (name.startsWith(n.vethHostPrefix)) {
      await runQuiet(["ip", "link", "del", name]);
      removed.push(name);
    }
  }
  return removed;
}
