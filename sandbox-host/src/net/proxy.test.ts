import { connect, createServer, type LookupFunction, type Server } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { egressAddressPolicy, parseCidrList, type AddressPolicy } from "./address-policy";
import { EgressProxy, TunnelBudget } from "./proxy";

describe("egress address policy", () => {
  const policy = egressAddressPolicy(parseCidrList("10.1.0.0/16,127.0.0.0/8", "test"), () => ["192.0.2.2", "10.1.9.9", "fe80::1%eth0"]);

  it.each([
    ["10.2.3.4", "private (RFC 1918)"],
    ["172.17.0.1", "private (RFC 1918, docker bridges)"],
    ["192.168.1.1", "private (RFC 1918)"],
    ["100.64.0.1", "carrier-grade NAT (RFC 6598)"],
    ["169.254.169.254", "link-local (cloud metadata)"],
    ["127.0.0.1", "loopback"],
    ["0.0.0.0", "unspecified"],
    ["224.0.0.1", "multicast"],
    ["255.255.255.255", "reserved/broadcast"],
    ["::1", "loopback"],
    ["fd00::1", "unique-local IPv6"],
    ["fe80::2", "link-local IPv6"],
    ["ff02::1", "multicast IPv6"],
    ["::ffff:127.0.0.1", "loopback"],
    ["::ffff:192.168.0.1", "private (RFC 1918)"],
    ["64:ff9b::a00:1", "NAT64"],
    ["192.0.2.2", "an address of this host"],
    ["10.1.9.9", "an address of this host"],
  ])("refuses %s (%s)", (ip, why) => {
    expect(policy(ip)).toBe(why);
  });

  it("lets public addresses and operator-allowed private ranges through, never loopback or the host itself", () => {
    expect(policy("93.184.215.14")).toBeNull();
    expect(policy("2606:4700::1111")).toBeNull();
    expect(policy("10.1.2.3")).toBeNull();
    expect(policy("::ffff:10.1.2.3")).toBeNull();
    expect(policy("127.0.0.2")).toBe("loopback");
  });

  it("refuses malformed allow lists loudly", () => {
    expect(() => parseCidrList("10.0.0.0", "SANDBOX_EGRESS_ALLOW_CIDRS")).toThrow(/SANDBOX_EGRESS_ALLOW_CIDRS: '10.0.0.0'/);
    expect(() => parseCidrList("10.0.0.0/33", "X")).toThrow();
  });
});

let closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of closers.reverse()) await c();
  closers = [];
});

/** A service on 127.0.0.1 that counts the connections it gets. */
async function listener(): Promise<{ port: number; hits: () => number }> {
  let hits = 0;
  const server: Server = createServer((s) => {
    hits++;
    // The proxy may hang up on us (a refused tunnel): a reset is expected here.
    s.on("error", () => undefined);
    s.end("secret service\n");
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  closers.push(() => new Promise((r) => server.close(() => r())));
  return { port: (server.address() as { port: number }).port, hits: () => hits };
}

async function proxy(allow: string[], policy: AddressPolicy, lookup?: LookupFunction): Promise<{ port: number; p: EgressProxy }> {
  const p = new EgressProxy(new Set(allow), { policy, budget: new TunnelBudget(8), maxOpenPerRun: 4, ...(lookup ? { lookup } : {}) });
  await p.listen("127.0.0.1", 0);
  closers.push(() => p.close());
  const port = (p as unknown as { server: Server }).server.address() as { port: number };
  return { port: port.port, p };
}

function connectVia(proxyPort: number, target: string): Promise<string> {
  return new Promise((resolve) => {
    const s = connect(proxyPort, "127.0.0.1");
    let text = "";
    s.on("data", (b: Buffer) => (text += b.toString()));
    s.on("close", () => resolve(text));
    s.on("error", () => undefined);
    s.write(`CONNECT ${target} HTTP/1.1\r\nhost: ${target}\r\n\r\n`);
    setTimeout(() => s.destroy(), 2_000);
  });
}

/** A resolver that answers `address` for every name: what a rebinding DNS answers at connect time. */
const resolvesTo =
  (address: string): LookupFunction =>
  (_host, _opts, cb) =>
    (cb as (e: Error | null, a: string, f: number) => void)(null, address, 4);

describe("EgressProxy", () => {
  it("an allowlisted name that resolves to loopback is refused before any connection is made", async () => {
    const svc = await listener();
    const { port, p } = await proxy([`rebind.example:${svc.port}`], egressAddressPolicy([]), resolvesTo("127.0.0.1"));
    const answer = await connectVia(port, `rebind.example:${svc.port}`);
    expect(answer).toContain("403 Forbidden");
    expect(answer).toContain("resolves to a forbidden address (127.0.0.1): loopback");
    expect(svc.hits()).toBe(0);
    expect(p.counts).toEqual({ opened: 0, denied: 1, refusedOverCap: 0, maxOpenPerRun: 4 });
  });

  it("judges the connected socket's own remote address too, not only the resolver's answer", async () => {
    const svc = await listener();
    const seen: string[] = [];
    // Passes the pre-connect check once, refuses the same address when asked about the live socket.
    const policy: AddressPolicy = (ip) => (seen.push(ip) > 1 ? "forbidden at connect" : null);
    const { port, p } = await proxy([`name.example:${svc.port}`], policy, resolvesTo("127.0.0.1"));
    const answer = await connectVia(port, `name.example:${svc.port}`);
    expect(answer).toContain("connected to a forbidden address (127.0.0.1): forbidden at connect");
    expect(answer).not.toContain("secret service");
    expect(seen).toEqual(["127.0.0.1", "127.0.0.1"]);
    expect(p.counts.opened).toBe(0);
  });

  it("an allowlisted IP literal in a forbidden range is refused without a SYN", async () => {
    const svc = await listener();
    const { port } = await proxy([`127.0.0.1:${svc.port}`], egressAddressPolicy([]));
    expect(await connectVia(port, `127.0.0.1:${svc.port}`)).toContain("forbidden address: loopback");
    expect(svc.hits()).toBe(0);
  });
});
