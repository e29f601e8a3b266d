/**
 * Hostile load on a real sandbox-host (its own process, default limits): its RSS and open fds at
 * rest, under 1,000 slow-header connections (from 50 loopback addresses, 20 each, so both the
 * per-peer and the global cap are exercised), while a signed run is made from another address,
 * after the headers timeout, and under 10 unsigned requests that declare and send 12 MiB bodies.
 * Prints the numbers of one run. Run as root with runsc: node_modules/.bin/tsx bench/sandbox/load.ts
 */
import { readdirSync, readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { request } from "node:http";
import { connect, createServer, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { signRequest } from "@proximus/contracts/sandbox";
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = createServer().listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

async function waitForHealth(url: string): Promise<void> {
  for (const end = Date.now() + 60_000; Date.now() < end; await sleep(300)) {
    if (
      await fetch(`${url}/health`).then(
        (r) => r.ok,
        () => false,
      )
    )
      return;
  }
  throw new Error("sandbox-host did not come up");
}

function sample(pid: number): { rssMb: number; fds: number } {
  const rss = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0);
  return { rssMb: Math.round(rss / 102.4) / 10, fds: readdirSync(`/proc/${pid}/fd`).length };
}

function slowConnection(port: number, from: string, closed: { n: number }): Socket {
  const s = connect({ port, host: "127.0.0.1", localAddress: from });
  s.on("error", () => undefined);
  s.on("close", () => closed.n++);
  s.resume();
  s.write("POST /v1/runs HTTP/1.1\r\nhost: x\r\nx-slow: ");
  return s;
}

/** An unsigned request that declares 12 MiB and keeps sending it until the host hangs up. */
function largeUnsigned(port: number, from: string): Promise<string> {
  return new Promise((resolve) => {
    const s = connect({ port, host: "127.0.0.1", localAddress: from });
    let answer = "";
    s.on("data", (b: Buffer) => (answer += b.toString("latin1")));
    s.on("error", () => undefined);
    s.on("close", () => resolve(answer.split("\r\n")[0] || "(closed without an answer)"));
    s.write(`POST /v1/runs HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: ${12 * 1024 * 1024}\r\n\r\n`);
    const chunk = Buffer.alloc(256 * 1024, 0x20);
    let sent = 0;
    const pump = () => {
      while (sent < 48 && !s.destroyed) {
        sent++;
        if (!s.write(chunk)) return void s.once("drain", pump);
      }
    };
    pump();
  });
}

async function signedRun(url: string, secret: string, from: string): Promise<{ status: number; ms: number }> {
  const body = JSON.stringify({ runtime: "node", command: ["node", "-e", "console.log(1)"] });
  const headers = {
    "content-type": "application/json",
    "content-length": String(Buffer.byteLength(body)),
    ...(await signRequest(secret, "POST", "/v1/runs", body)),
  };
  const t = performance.now();
  return new Promise((resolve) => {
    const r = request(`${url}/v1/runs`, { method: "POST", headers, localAddress: from }, (res) => {
      res.resume();
      res.on("end", () => resolve({ status: res.statusCode ?? 0, ms: Math.round(performance.now() - t) }));
    });
    r.on("error", () => resolve({ status: -1, ms: Math.round(performance.now() - t) }));
    r.end(body);
  });
}

const port = await freePort();
const secret = randomBytes(32).toString("hex");
const stateDir = await mkdtemp(join(tmpdir(), "pxsb-load-"));
// `node --import tsx`: one process, so its pid is the service whose RSS and fds we read.
const child = spawn(process.execPath, ["--import", "tsx", join(ROOT, "sandbox-host/src/main.ts")], {
  cwd: ROOT,
  env: { ...process.env, SANDBOX_PORT: String(port), SANDBOX_SECRET: secret, SANDBOX_STATE_DIR: stateDir, SANDBOX_POOL_SIZE: "1" },
  stdio: ["ignore", "ignore", "inherit"],
});
const url = `http://127.0.0.1:${port}`;
try {
  await waitForHealth(url);
  await sleep(3_000); // the warm sandbox boots
  const pid = child.pid as number;
  const rows: [string, string][] = [];
  const note = (what: string, extra = "") => {
    const s = sample(pid);
    rows.push([what, `RSS ${s.rssMb} MB, fds ${s.fds}${extra ? `, ${extra}` : ""}`]);
  };
  note("at rest");

  const closed = { n: 0 };
  const slow: Socket[] = [];
  for (let i = 0; i < 1_000; i++) slow.push(slowConnection(port, `127.0.0.${10 + (i % 50)}`, closed));
  await sleep(1_000);
  note("1,000 slow-header connections open", `${closed.n} closed by the host at once (per-peer cap, global cap with eviction)`);
  const run = await signedRun(url, secret, "127.0.0.2");
  note("signed run from another address meanwhile", `HTTP ${run.status} in ${run.ms} ms`);
  await sleep(11_000);
  note("after the headers timeout (10 s)", `${closed.n} of 1,000 closed by the host`);
  for (const s of slow) s.destroy();
  await sleep(500);

  const t = performance.now();
  const peak = { rssMb: 0, fds: 0 };
  const timer = setInterval(() => {
    const s = sample(pid);
    peak.rssMb = Math.max(peak.rssMb, s.rssMb);
    peak.fds = Math.max(peak.fds, s.fds);
  }, 20);
  const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => largeUnsigned(port, `127.0.0.${100 + i}`)));
  clearInterval(timer);
  note(
    "10 unsigned 12 MiB bodies",
    `peak RSS ${peak.rssMb} MB, peak fds ${peak.fds}, ` +
      `all answered in ${Math.round(performance.now() - t)} ms: ${[...new Set(answers)].join(" / ")}`,
  );
  await sleep(1_000);
  note("afterwards");
  const w = Math.max(...rows.map(([a]) => a.length));
  for (const [a, b] of rows) console.log(`${a.padEnd(w)}  ${b}`);
} finally {
  child.kill("SIGTERM");
  await new Promise((r) => (child.exitCode !== null ? r(null) : child.once("exit", r)));
  await rm(stateDir, { recursive: true, force: true });
}
