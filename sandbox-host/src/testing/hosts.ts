import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { claimSubnet } from "../net/subnets";
import { runQuiet } from "../runner/launch";

/**
 * A tiny HTTP server in a network namespace this test made, reachable from the host over a veth
 * pair this test made: the only "remote hosts" tests may talk to.
 */
export type TestHost = {
  name: string;
  ip: string;
  /** The host's own end of the veth: an address of this machine. */
  gatewayIp: string;
  /** The /24 the test host lives in, for SANDBOX_EGRESS_ALLOW_CIDRS. */
  cidr: string;
  port: number;
  body: string;
  close: () => Promise<void>;
};

/**
 * Names and subnet are unique per test process (other suites may run on this machine at the same
 * time), the subnet claimed machine-wide like the sandboxes' own.
 */
export async function startTestHost(label: "a" | "b"): Promise<TestHost> {
  const tag = `${(process.pid % 100_000).toString(36)}${label}`;
  const ns = `pxth-${tag}`;
  const hostIf = `pxth${tag}0`;
  const peer = `pxth${tag}1`;
  await runQuiet(["ip", "netns", "del", ns]);
  await runQuiet(["ip", "link", "del", hostIf]);
  const claim = await claimSubnet("10.232", `test-${process.pid}`);
  const subnet = claim.index;
  const ip = `10.232.${subnet}.2`;
  const steps = [
    ["ip", "netns", "add", ns],
    ["ip", "link", "add", hostIf, "type", "veth", "peer", "name", peer],
    ["ip", "link", "set", peer, "netns", ns],
    ["ip", "addr", "add", `10.232.${subnet}.1/24`, "dev", hostIf],
    ["ip", "link", "set", hostIf, "up"],
    ["ip", "netns", "exec", ns, "ip", "link", "set", "lo", "up"],
    ["ip", "netns", "exec", ns, "ip", "addr", "add", `${ip}/24`, "dev", peer],
    ["ip", "netns", "exec", ns, "ip", "link", "set", peer, "up"],
  ];
  for (const s of steps) {
    const r = await runQuiet(s);
    if (r.code !== 0) throw new Error(`test host setup failed at: ${s.join(" ")}`);
  }
  const dir = await mkdtemp(join(tmpdir(), `pxth-${label}-`));
  const body = `hello from test host ${label}\n`;
  await writeFile(join(dir, "index.html"), body);
  const port = 8080;
  const server: ChildProcess = spawn(
    "ip",
    ["netns", "exec", ns, "python3", "-m", "http.server", String(port), "--bind", ip, "--directory", dir],
    { stdio: "ignore" },
  );
  // Wait until it answers (from the host side, over our veth).
  const end = Date.now() + 10_000;
  for (;;) {
    const ok = await fetch(`http://${ip}:${port}/`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    if (Date.now() > end) throw new Error(`test host ${label} did not come up`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    name: ns,
    ip,
    gatewayIp: `10.232.${subnet}.1`,
    cidr: `10.232.${subnet}.0/24`,
    port,
    body,
    close: async () => {
      server.kill("SIGKILL");
      await runQuiet(["ip", "netns", "del", ns]);
      await runQuiet(["ip", "link", "del", hostIf]);
      await rm(dir, { recursive: true, force: true });
      await claim.release();
    },
  };
}
