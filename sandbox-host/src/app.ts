import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Config } from "./config";
import { sweepLeftovers } from "./cleanup";
import { RequestAuth } from "./http/auth";
import { connectionLimitsOf } from "./http/connections";
import { createSandboxServer } from "./http/server";
import { egressAddressPolicy } from "./net/address-policy";
import { installFirewall, removeFirewall } from "./net/netns";
import { TunnelBudget } from "./net/proxy";
import { Limiter } from "./queue";
import { detectBackend } from "./runner/backend";
import { ensureLayout } from "./runner/layout";
import { cpuPlacer } from "./runner/cpus";
import { WarmPool } from "./runner/pool";
import { probeRuntimes, type Runtimes } from "./runner/runtimes";
import { RunService } from "./runner/service";
import { ensureToolchain, type Toolchain } from "./toolchain/install";
import { SANDBOX_LIMITS } from "@proximus/contracts/sandbox";

export type RunningService = {
  server: Server;
  url: string;
  service: RunService;
  pool: WarmPool;
  limiter: Limiter;
  runtimes: Runtimes;
  toolchain: Toolchain | null;
  stop: () => Promise<void>;
};

/** Boots sandbox-host: backend choice, leftover sweep, firewall, warm pool, HTTP server. */
export async function startService(
  config: Config,
  log: (m: string) => void = (m) => console.error(`[sandbox-host] ${m}`),
): Promise<RunningService> {
  if (process.getuid?.() !== 0) throw new Error("sandbox-host must run as root (cgroups, netns, nft, runsc)");
  const backend = await detectBackend(config.forceBackend);
  if (backend.warning) log(`WARNING: ${backend.warning}`);
  cpuPlacer.setEnabled(config.pinCpus);
  const runtimes = await probeRuntimes(config.nodeBin);
  log(`sandbox runtimes: node ${runtimes.node} (${config.nodeBin}), python ${runtimes.python}`);
  // Before the pool boots: every sandbox, warm or cold, gets the same read-only layer.
  const toolchain = config.toolchainDir ? await ensureToolchain(config.toolchainDir, log) : null;
  if (toolchain) log(`toolchain layer ${toolchain.hash}: ${toolchain.nodeModules}`);
  const layout = { ...(await ensureLayout(config.stateDir, config.nodeBin, config.pidsLimit)), toolchain: toolchain?.nodeModules ?? null };
  const swept = await sweepLeftovers(layout);
  if (swept.length) log(`removed leftovers of a previous run: ${swept.join(", ")}`);
  await installFirewall(layout.instance);

  const pool = new WarmPool(backend.isolation, layout, config.poolSize, SANDBOX_LIMITS.defaultMemoryMb * 1024 * 1024);
  pool.fill();
  const limiter = new Limiter(config.maxConcurrent, config.maxQueue);
  const service = new RunService(backend, layout, pool, {
    policy: egressAddressPolicy(config.egressAllowCidrs),
    budget: new TunnelBudget(config.egressMaxTunnels),
    maxOpenPerRun: config.egressMaxTunnelsPerRun,
  });
  const auth = new RequestAuth(config.secret);
  const server = createSandboxServer({ auth, limiter, service, runtimes, limits: connectionLimitsOf(config), log });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(config.port, config.bind, () => resolve());
  });
  const addr = server.address() as AddressInfo;
  const url = `http://${addr.address.includes(":") ? `[${addr.address}]` : addr.address}:${addr.port}`;
  log(
    `listening on ${url} (isolation ${backend.isolation}, ${backend.platform}, pool ${config.poolSize}, ${cpuPlacer.enabled ? `sandboxes pinned over CPUs ${cpuPlacer.cpus.join(",")}` : "no CPU pinning"})`,
  );

  const stop = async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    await pool.close();
    await sweepLeftovers(layout);
    await removeFirewall(layout.instance);
  };
  return { server, url, service, pool, limiter, runtimes, toolchain, stop };
}
