import { AppError, ErrorEnvelope } from "@proximus/contracts/errors";
import { RunResult, signRequest, type RunRequestInput } from "@proximus/contracts/sandbox";
import type { SandboxRunner } from "./sandbox-runner";

export type SandboxClientConfig = {
  /** Base URL of sandbox-host, e.g. https://sandbox.example.com (public or via Cloudflare Tunnel). */
  url: string;
  secret: string;
  fetch?: typeof fetch;
  /** Attempts for 429 (queue full) and 502/503 (host restarting); other errors are final. */
  maxAttempts?: number;
  sleep?: (ms: number) => Promise<void>;
};

/** Per-call options that are not part of the signed body. */
export type RunOptions = {
  /** W3C trace context of the calling span, sent as the `traceparent` header (sandbox-host logs and echoes its trace id). */
  traceparent?: string;
};

const RETRYABLE = new Set([429, 502, 503]);
/** Covers queueing and sandbox start on top of the run's own timeout. */
const OVERHEAD_MS = 60_000;

/** Talks to sandbox-host: signs every request with the shared secret and validates every answer. */
export class SandboxClient {
  private readonly fetchFn: typeof fetch;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly config: SandboxClientConfig) {
    this.fetchFn = config.fetch ?? ((input, init) => fetch(input, init));
    this.sleep = config.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
  }

  async run(req: Omit<RunRequestInput, "stream">, opts: RunOptions = {}): Promise<RunResult> {
    const path = "/v1/runs";
    const body = JSON.stringify({ ...req, stream: false });
    const attempts = this.config.maxAttempts ?? 3;
    for (let attempt = 1; ; attempt++) {
      // A fresh signature per attempt: the host refuses a replayed one.
      const headers = await signRequest(this.config.secret, "POST", path, body);
      const res = await this.fetchFn(new URL(path, this.config.url).toString(), {
        method: "POST",
        headers: { ...headers, "content-type": "application/json", ...(opts.traceparent ? { traceparent: opts.traceparent } : {}) },
        body,
        signal: AbortSignal.timeout((req.timeoutMs ?? 10_000) + OVERHEAD_MS),
      });
      if (res.ok) {
        const parsed = RunResult.safeParse(await res.json());
        if (!parsed.success) throw new AppError("upstream_failed", "sandbox-host answered with an unexpected body");
        return parsed.data;
      }
      if (RETRYABLE.has(res.status) && attempt < attempts) {
        await res.body?.cancel();
        await this.sleep(500 * 2 ** (attempt - 1));
        continue;
      }
      const envelope = ErrorEnvelope.safeParse(await res.json().catch(() => null));
      if (envelope.success)
        throw new AppError(envelope.data.error.code, `sandbox-host: ${envelope.data.error.message}`, envelope.data.error.details);
      throw new AppError("upstream_failed", `sandbox-host answered HTTP ${res.status}`);
    }
  }
}

/** The agents' SandboxRunner on top of the client; syntax errors come back as a failed run with diagnostics on stderr. */
export function sandboxRunner(client: SandboxClient): SandboxRunner {
  return {
    async run(req, opts) {
      const r = await client.run(
        {
          files: req.files.map((f) => ({ path: f.path, content: f.content })),
          command: req.command,
          runtime: req.runtime,
          timeoutMs: req.timeoutMs,
        },
        opts,
      );
      const diag = r.diagnostics
        .filter((d) => d.source === "syntax")
        .map((d) => `${d.file}:${d.line}:${d.column}: ${d.message}`)
        .join("\n");
      const warning = r.isolationWarning ? `[sandbox] ${r.isolationWarning}\n` : "";
      return {
        exitCode: r.ran ? r.exitCode : null,
        stdout: r.stdout,
        stderr: `${warning}${r.ran ? "" : `[sandbox] not run: syntax errors\n${diag}\n`}${r.stderr}`,
        timedOut: r.killedReason === "timeout",
        ...(r.killedReason ? { killedReason: r.killedReason } : {}),
        durationMs: r.durationMs,
        isolation: r.isolation,
      };
    },
  };
}

/**
 * Whether an error of a sandbox call means the host is unavailable (down, restarting, overloaded,
 * unreachable) rather than that the request was wrong: the caller waits for it instead of failing
 * the task. Returns the reason to show, or null.
 */
export function sandboxUnavailable(e: unknown): string | null {
  if (e instanceof AppError) {
    return ["upstream_failed", "rate_limited", "timeout", "internal"].includes(e.code) ? `sandbox host unavailable (${e.message})` : null;
  }
  // fetch throws TypeError when nothing listens, and a TimeoutError/AbortError when the host hangs.
  return `sandbox host unreachable (${e instanceof Error ? e.message : String(e)})`;
}

/** null when the Worker has no sandbox configured; callers then refuse rather than pretend. */
export function sandboxRunnerFromEnv(env: { SANDBOX_URL?: string; SANDBOX_SECRET?: string }): SandboxRunner | null {
  if (!env.SANDBOX_URL || !env.SANDBOX_SECRET) return null;
  return sandboxRunner(new SandboxClient({ url: env.SANDBOX_URL, secret: env.SANDBOX_SECRET }));
}
