import { randomUUID } from "node:crypto";
import type { Diagnostic, RunRequest, RunResult } from "@proximus/contracts/sandbox";
import { PROXY_PORT, createNetns, destroyNetns, type NetnsHandle } from "../net/netns";
import type { AddressPolicy } from "../net/address-policy";
import { EgressProxy, type TunnelBudget } from "../net/proxy";
import { analyze } from "../validate/ast";
import type { BackendInfo } from "./backend";
import { SANDBOX_PATH, type Layout } from "./layout";
import type { WarmPool } from "./pool";
import { Sandbox, type JobFile } from "./sandbox";

export type EgressSettings = { policy: AddressPolicy; budget: TunnelBudget; maxOpenPerRun: number };

export type RunHooks = { onStdout?: (t: string) => void; onStderr?: (t: string) => void; onDiagnostics?: (d: Diagnostic[]) => void };

const RUNTIME_ENV: Record<RunRequest["runtime"], Record<string, string>> = {
  node: { NODE_NO_WARNINGS: "1" },
  python: { PYTHONDONTWRITEBYTECODE: "1", PYTHONUNBUFFERED: "1" },
};

const decodeFile = (f: RunRequest["files"][number]): Buffer => Buffer.from(f.content, f.encoding === "base64" ? "base64" : "utf8");

/** Text of a file for the parsers, or null for binary content. */
function asText(buf: Buffer): string | null {
  const s = buf.toString("utf8");
  return Buffer.byteLength(s) === buf.length && !s.includes("\uFFFD") ? s : null;
}

/** One run end to end: AST check, sandbox (warm or cold, with or without egress), result. */
export class RunService {
  constructor(
    readonly backend: BackendInfo,
    private readonly layout: Layout,
    readonly pool: WarmPool,
    private readonly egress: EgressSettings,
  ) {}

  async run(req: RunRequest, hooks: RunHooks = {}): Promise<RunResult> {
    const id = randomUUID();
    const decoded = req.files.map((f) => ({ f, buf: decodeFile(f) }));
    const diagnostics = await analyze(decoded.map(({ f, buf }) => ({ path: f.path, text: asText(buf) })));
    hooks.onDiagnostics?.(diagnostics);
    const base = {
      id,
      diagnostics,
      isolation: this.backend.isolation,
      isolationWarning: this.backend.warning,
    };
    if (!req.runOnSyntaxError && diagnostics.some((d) => d.source === "syntax" && d.severity === "error")) {
      return {
        ...base,
        ran: false,
        exitCode: null,
        stdout: "",
        stderr: "",
        stdoutBytes: 0,
        stderrBytes: 0,
        stdoutTruncated: false,
        stderrTruncated: false,
        durationMs: 0,
        peakMemoryBytes: null,
        killedReason: null,
        pidsLimitHit: false,
        warm: false,
      };
    }

    const files: JobFile[] = decoded.map(({ f, buf }) => ({
      path: f.path,
      contentBase64: buf.toString("base64"),
      executable: f.executable,
    }));
    const env: Record<string, string> = {
      ...req.env,
      PATH: SANDBOX_PATH,
      HOME: "/tmp",
      TMPDIR: "/tmp",
      LANG: "C.UTF-8",
      ...RUNTIME_ENV[req.runtime],
    };
    let net: NetnsHandle | null = null;
    let proxy: EgressProxy | null = null;
    let sandbox: Sandbox | null = null;
    let warm = false;
    try {
      if (req.egress.length > 0) {
        net = await createNetns(this.layout.instance, id);
        proxy = new EgressProxy(new Set(req.egress.map((e) => e.toLowerCase())), this.egress);
        await proxy.listen(net.hostIp, PROXY_PORT);
        const url = `http://${net.hostIp}:${PROXY_PORT}`;
        Object.assign(env, { HTTP_PROXY: url, HTTPS_PROXY: url, http_proxy: url, https_proxy: url, NO_PROXY: "", no_proxy: "" });
        sandbox = Sandbox.start(this.backend.isolation, this.layout, req.memoryMb * 1024 * 1024, { netns: net.netns });
      } else {
        sandbox = this.pool.take();
        warm = sandbox !== null;
        sandbox ??= Sandbox.start(this.backend.isolation, this.layout, req.memoryMb * 1024 * 1024);
      }
      const outcome = await sandbox.execute({
        files,
        argv: req.command,
        env,
        timeoutMs: req.timeoutMs,
        memoryBytes: req.memoryMb * 1024 * 1024,
        maxOutputBytes: req.maxOutputBytes,
        ...(hooks.onStdout ? { onStdout: hooks.onStdout } : {}),
        ...(hooks.onStderr ? { onStderr: hooks.onStderr } : {}),
      });
      return { ...base, ...outcome, ran: true, warm, ...(proxy ? { egress: proxy.counts } : {}) };
    } finally {
      // Egress runs are torn down before their network; the rest answer first and clean up after.
      if (sandbox && net) await sandbox.destroy().catch(() => undefined);
      else if (sandbox) this.pool.retire(sandbox);
      await proxy?.close().catch(() => undefined);
      if (net) await destroyNetns(net).catch(() => undefined);
    }
  }
}
