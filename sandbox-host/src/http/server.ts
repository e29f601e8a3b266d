import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { AppError, zodDetails } from "@proximus/contracts/errors";
import { RunRequest, SANDBOX_LIMITS, type RunResult, type RunStreamEvent, type SandboxHealth } from "@proximus/contracts/sandbox";
import { traceIdOf, TRACEPARENT_HEADER } from "@proximus/shared/tracing/traceparent";
import type { Limiter } from "../queue";
import type { Runtimes } from "../runner/runtimes";
import type { RunService } from "../runner/service";
import type { RequestAuth } from "./auth";
import { readVerifiedBody } from "./body";
import { limitConnections, type ConnectionLimits } from "./connections";
import { handleValidate } from "./validate-route";

export type ServerDeps = {
  auth: RequestAuth;
  limiter: Limiter;
  service: RunService;
  runtimes: Runtimes;
  limits: ConnectionLimits;
  log: (msg: string) => void;
};

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

function toAppError(e: unknown, log: (m: string) => void): AppError {
  if (e instanceof AppError) return e;
  // Internals go to the log, never to the client.
  log(`internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
  return new AppError("internal", "internal sandbox error");
}

export function health(deps: ServerDeps): SandboxHealth {
  const { service, limiter } = deps;
  return {
    ok: true,
    isolation: service.backend.isolation,
    isolationWarning: service.backend.warning,
    platform: service.backend.platform,
    runtimes: deps.runtimes,
    pool: { ready: service.pool.readyCount, target: service.pool.target },
    running: limiter.running,
    queued: limiter.queued,
    maxConcurrent: limiter.maxConcurrent,
    maxQueue: limiter.maxQueue,
  };
}

/** One JSON line per finished run, carrying the caller's trace id so it can be found from the trace. */
function logRun(deps: ServerDeps, traceId: string | null, result: RunResult): RunResult {
  deps.log(
    JSON.stringify({
      msg: "run finished",
      runId: result.id,
      traceId,
      ran: result.ran,
      exitCode: result.exitCode,
      killedReason: result.killedReason,
      durationMs: result.durationMs,
      isolation: result.isolation,
    }),
  );
  return traceId ? { ...result, traceId } : result;
}

async function handleRun(req: IncomingMessage, res: ServerResponse, deps: ServerDeps): Promise<void> {
  const header = (n: string) => {
    const v = req.headers[n];
    return Array.isArray(v) ? v[0] : v;
  };
  // Not part of the signature: a forged one can only mislabel a log line, never change a run.
  const traceId = traceIdOf(header(TRACEPARENT_HEADER));
  const parsed = RunRequest.safeParse(await readVerifiedBody(req, deps.auth, "/v1/runs", SANDBOX_LIMITS.maxBodyBytes));
  if (!parsed.success) throw new AppError("validation_failed", "invalid run request", zodDetails(parsed.error));
  const run = parsed.data;

  if (!run.stream) {
    const result = await deps.limiter.run(() => deps.service.run(run));
    sendJson(res, 200, logRun(deps, traceId, result));
    return;
  }
  await deps.limiter.run(async () => {
    res.writeHead(200, { "content-type": "application/x-ndjson; charset=utf-8", "cache-control": "no-store" });
    const emit = (e: RunStreamEvent) => {
      if (!res.writableEnded) res.write(`${JSON.stringify(e)}\n`);
    };
    try {
      const result = await deps.service.run(run, {
        onDiagnostics: (diagnostics) => emit({ type: "diagnostics", diagnostics }),
        onStdout: (data) => emit({ type: "stdout", data }),
        onStderr: (data) => emit({ type: "stderr", data }),
      });
      emit({ type: "result", result: logRun(deps, traceId, result) });
    } catch (e) {
      const err = toAppError(e, deps.log);
      emit({ type: "error", error: { code: err.code, message: err.message } });
    }
    res.end();
  });
}

export function createSandboxServer(deps: ServerDeps): Server {
  // The timeouts are enforced by a sweep every connectionsCheckingInterval (default 30 s: far too coarse).
  const checkEvery = Math.max(100, Math.min(1_000, Math.floor(deps.limits.headersTimeoutMs / 2)));
  const server = createServer({ connectionsCheckingInterval: checkEvery }, (req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    const work = async () => {
      if (req.method === "GET" && path === "/health") return sendJson(res, 200, health(deps));
      if (path === "/v1/validate") return handleValidate(req, res, deps.auth);
      if (path === "/v1/runs") {
        if (req.method !== "POST") throw new AppError("bad_request", "use POST /v1/runs");
        return handleRun(req, res, deps);
      }
      throw new AppError("not_found", `no route ${req.method} ${path}`);
    };
    work().catch((e: unknown) => {
      const err = toAppError(e, deps.log);
      if (res.headersSent) return void res.end();
      // A refused request's body is not drained (Node would read it to reuse the connection): close instead.
      if (!req.complete) {
        res.setHeader("connection", "close");
        res.once("finish", () => req.socket.destroy());
      }
      sendJson(res, err.status, err.toEnvelope());
    });
  });
  limitConnections(server, deps.limits);
  return server;
}
