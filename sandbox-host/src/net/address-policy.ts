import { BlockList, isIP } from "node:net";
import { networkInterfaces } from "node:os";

export type Cidr = { address: string; prefix: number; family: "ipv4" | "ipv6" };

/** Ranges egress never reaches, whatever the operator allows: the host itself and what only it should talk to. */
const NEVER: readonly (readonly [string, number, string])[] = [
  ["0.0.0.0", 8, "unspecified"],
  ["127.0.0.0", 8, "loopback"],
  ["169.254.0.0", 16, "link-local (cloud metadata)"],
  ["10.231.0.0", 16, "sandbox network"],
  ["224.0.0.0", 4, "multicast"],
  ["240.0.0.0", 4, "reserved/broadcast"],
  ["::", 128, "unspecified"],
  ["::1", 128, "loopback"],
  ["::", 96, "IPv4-compatible IPv6"],
  ["fe80::", 10, "link-local IPv6"],
  ["ff00::", 8, "multicast IPv6"],
];

/** Ranges refused unless SANDBOX_EGRESS_ALLOW_CIDRS lists them: other people's private networks. */
const PRIVATE: readonly (readonly [string, number, string])[] = [
  ["10.0.0.0", 8, "private (RFC 1918)"],
  ["172.16.0.0", 12, "private (RFC 1918, docker bridges)"],
  ["192.168.0.0", 16, "private (RFC 1918)"],
  ["100.64.0.0", 10, "carrier-grade NAT (RFC 6598)"],
  ["192.0.0.0", 24, "IETF protocol assignments"],
  ["192.0.2.0", 24, "documentation"],
  ["198.18.0.0", 15, "benchmarking"],
  ["198.51.100.0", 24, "documentation"],
  ["203.0.113.0", 24, "documentation"],
  ["fc00::", 7, "unique-local IPv6"],
  ["fec0::", 10, "site-local IPv6"],
  ["64:ff9b::", 96, "NAT64"],
  ["64:ff9b:1::", 48, "local NAT64"],
  ["100::", 64, "discard-only IPv6"],
  ["2001:db8::", 32, "documentation IPv6"],
  ["2002::", 16, "6to4 (embeds an IPv4 address)"],
];

const familyOf = (ip: string): "ipv4" | "ipv6" => (isIP(ip) === 6 ? "ipv6" : "ipv4");

/** "10.1.0.0/16,fd00::/8" → CIDRs; throws with the variable's name on a malformed entry. */
export function parseCidrList(text: string, name: string): Cidr[] {
  return text
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean)
    .map((entry) => {
      const [address = "", bits = ""] = entry.split("/");
      const v = isIP(address);
      const prefix = Number(bits);
      if (v === 0 || !/^\d{1,3}$/.test(bits) || prefix > (v === 4 ? 32 : 128)) {
        throw new Error(`invalid sandbox-host configuration: ${name}: '${entry}' is not an address/prefix CIDR`);
      }
      return { address, prefix, family: v === 4 ? "ipv4" : "ipv6" } as const;
    });
}

function listOf(ranges: readonly (readonly [string, number, string])[]): { list: BlockList; reasons: [BlockList, string][] } {
  const list = new BlockList();
  const reasons: [BlockList, string][] = [];
  for (const [a, p, why] of ranges) {
    list.addSubnet(a, p, familyOf(a));
    const one = new BlockList();
    one.addSubnet(a, p, familyOf(a));
    reasons.push([one, why]);
  }
  return { list, reasons };
}

/** `::ffff:10.0.0.1` is 10.0.0.1 to the kernel: judge it as that. */
function unmapped(ip: string): string {
  const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  return m?.[1] ?? ip;
}

export type AddressPolicy = (ip: string) => string | null;

/**
 * The egress proxy's verdict on an address it is about to dial or has connected to: null when
 * allowed, else why not. The host's own addresses are read at every call (interfaces come and go).
 */
export function egressAddressPolicy(allow: readonly Cidr[], hostAddresses: () => string[] = ownAddresses): AddressPolicy {
  const never = listOf(NEVER);
  const priv = listOf(PRIVATE);
  const allowed = new BlockList();
  for (const c of allow) allowed.addSubnet(c.address, c.prefix, c.family);
  const why = (rs: [BlockList, string][], ip: string, fam: "ipv4" | "ipv6") => rs.find(([l]) => l.check(ip, fam))?.[1] ?? "forbidden range";
  return (raw) => {
    const ip = unmapped(raw);
    if (isIP(ip) === 0) return "not an IP address";
    const fam = familyOf(ip);
    if (never.list.check(ip, fam)) return why(never.reasons, ip, fam);
    if (hostAddresses().some((own) => unmapped(own).toLowerCase() === ip.toLowerCase())) return "an address of this host";
    if (priv.list.check(ip, fam) && !allowed.check(ip, fam)) return why(priv.reasons, ip, fam);
    return null;
  };
}

export function ownAddresses(): string[] {
  return Object.values(networkInterfaces()).flatMap((l) => (l ?? []).map((a) => a.address.replace(/%.*$/, "")));
}
