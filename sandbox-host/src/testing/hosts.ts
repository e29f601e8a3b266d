import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runQuiet } from "../runner/launch";

/**
 * A tiny HTTP server in a network namespace this test made, reachable from the host over a veth
 * pair this test made: the only "remote hosts" tests may talk to.
 */
export type TestHost = { name: string; ip: string; port: number; body: string; close: () => Promise<void> };

export async function startTestHost(label: "a" | "b", subnet: number): Promise<TestHost> {
  const ns = `pxth-${label}`;
  const hostIf = `pxth${label}0`;
  const peer = `pxth${label}1`;
  await runQuiet(["ip", "netns", "del", ns]);
  await runQuiet(["ip", "link", "del", hostIf]);
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
  const server: ChildProcess = spawn("ip", ["netns", "exec", ns, "python3", "-m", "http.server", String(port), "--bind", ip, "--directory", dir], { stdio: "ignore" });
  // Wait until it answers (from the host side, over our veth).
  const end = Date.now() + 10_000;
  for (;;) {
    const ok = await fetch(`http://${ip}:${port}/`).then((r) => r.ok, () => false);
    if (ok) break;
    if (Date.now() > end) throw new Error(`test host ${label} did not come up`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    name: ns,
    ip,
    port,
    body,
    close: async () => {
      server.kill("SIGKILL");
      await runQuiet(["ip", "netns", "del", ns]);
      await runQuiet(["ip", "link", "del", hostIf]);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
