// Runs the real CLI as a child process against a local server that speaks the gateway's wire
// protocol (REST + RFC 6455 WebSocket frames), so both the WebSocket and the polling paths are exercised.
import { createHash } from "node:crypto";
import { execFile } from "node:child_process";
import { existsSync, readFileSync, mkdtempSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";

const CLI = fileURLToPath(new URL("./proximus.mjs", import.meta.url));
const NODE20 = "/usr/bin/node";

const USER_LIMIT = "queued: 1 running, at this user's limit of 1 tasks at once (MAX_TASKS_PER_USER)";
const SANDBOX_WAIT = "sandbox host unreachable (connect ECONNREFUSED 127.0.0.1:8788) — trying again in 4 s";
const PAUSE = "budget: 0.0100 committed + 0.0040 estimated for t-cto exceeds 0.012";

/**
 * With `waits`, the log carries what the ProjectDO emits for waits: the CEO first held back by the
 * sandbox host (ready + waitingFor), the project paused at its budget and resumed, and the CTO handed
 * off, queued on the per-user limit (running, startedAt null, waitingFor) and started 2.5 s later.
 */
function makeEvents({ waits = false } = {}) {
  const tasks = [
    { id: "t-ceo", role: "ceo", title: "PRD", deps: [] },
    { id: "t-cto", role: "cto", title: "Architecture", deps: ["t-ceo"] },
  ];
  const log = [];
  const push = (type, taskId, data) => log.push({ seq: log.length + 1, ts: 1_700_000_000_000 + log.length * 1000, type, taskId, data });
  push("project.created", null, {});
  for (const t of tasks) push("task.created", t.id, { task: t });
  const at = (i) => 1_700_000_000_000 + i * 1000;
  for (const t of tasks) {
    if (waits && t.id === "t-ceo")
      push("task.state", t.id, { state: "ready", attempt: 0, startedAt: null, dispatchedAt: null, waitingFor: SANDBOX_WAIT });
    if (waits && t.id === "t-cto") {
      push("project.state", null, { state: "paused", reason: PAUSE });
      push("project.state", null, { state: "running", reason: null });
      const dispatchedAt = at(log.length);
      const common = { state: "running", attempt: 1, dispatchedAt, finishedAt: null };
      push("task.state", t.id, { ...common, startedAt: null, waitingFor: null });
      push("task.state", t.id, { ...common, startedAt: null, waitingFor: USER_LIMIT });
      push("task.state", t.id, { ...common, startedAt: dispatchedAt + 2500, waitingFor: null });
    } else push("task.state", t.id, { state: "running", attempt: 1 });
    push("task.log", t.id, { text: `${t.title} started`, attempt: 1 });
    push("task.token", t.id, { text: "tok", attempt: 1 });
    push("usage.recorded", t.id, { provider: "offline", model: "offline-1", inputTokens: 10, outputTokens: 20, costUsd: 0 });
    push("artifact.stored", t.id, { path: `docs/${t.id}.md`, bytes: 42 });
    push("task.state", t.id, { state: "succeeded", attempt: 1 });
  }
  push("project.state", null, { state: "succeeded" });
  return { tasks, log };
}

function wsFrame(text) {
  const payload = Buffer.from(text);
  const len = payload.length;
  const head = len < 126 ? Buffer.from([0x81, len]) : Buffer.from([0x81, 126, len >> 8, len & 0xff]);
  return Buffer.concat([head, payload]);
}

/** A fake gateway: the log is revealed `released` events at a time to simulate a running project. */
function startServer({ dropWsAfter = Infinity, gapAt = null, waits = false } = {}) {
  const { tasks, log } = makeEvents({ waits });
  const state = { requests: [], wsConnects: [], released: 0 };
  const sockets = new Set();
  const visible = () => log.slice(0, state.released);
  const detail = () => ({
    id: "p1",
    idea: "A dog grooming app",
    state: state.released >= log.length ? "succeeded" : "running",
    budgetUsd: 5,
    spentUsd: 0,
    createdAt: 1,
    updatedAt: 1,
    tasks: tasks.map((t) => ({
      ...t,
      state: "pending",
      attempt: 0,
      maxAttempts: 3,
      error: null,
      output: null,
      artifacts: [],
      usage: [],
      dispatchedAt: null,
      startedAt: null,
      finishedAt: null,
      approval: "none",
      waitingFor: null,
      traceId: null,
    })),
    pausedReason: null,
    lastSeq: state.released,
  });
  const json = (res, status, body) => {
    res.writeHead(status, { "content-type": "application/json" });
    res.end(JSON.stringify(body));
  };
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      const url = new URL(req.url, "http://x");
      state.requests.push({ method: req.method, path: url.pathname, search: url.search, body, auth: req.headers.authorization });
      if (req.method === "POST" && url.pathname === "/api/projects") {
        const b = JSON.parse(body);
        if (b.idea.length < 3)
          return json(res, 400, {
            error: {
              code: "validation_failed",
              message: "Invalid request",
              details: [{ field: "idea", message: "idea must be at least 3 characters" }],
            },
          });
        return json(res, 201, detail());
      }
      if (url.pathname === "/api/projects")
        return json(res, 200, {
          projects: [{ id: "p1", idea: "A dog grooming app", state: "running", budgetUsd: 5, spentUsd: 0.5, createdAt: 1, updatedAt: 1 }],
        });
      if (url.pathname === "/api/projects/p1") return json(res, 200, detail());
      if (url.pathname === "/api/projects/p1/events") {
        const since = Number(url.searchParams.get("since"));
        state.released = Math.min(log.length, state.released + 4);
        return json(res, 200, { events: visible().filter((e) => e.seq > since), lastSeq: state.released });
      }
      if (url.pathname === "/api/projects/p1/download") {
        res.writeHead(200, { "content-type": "application/zip" });
        return res.end(Buffer.from("PK\x05\x06" + "\0".repeat(18), "binary"));
      }
      return json(res, 404, { error: { code: "not_found", message: "project not found" } });
    });
  });
  server.on("upgrade", (req, socket) => {
    const url = new URL(req.url, "http://x");
    const since = Number(url.searchParams.get("since"));
    state.wsConnects.push(since);
    const accept = createHash("sha1")
      .update(req.headers["sec-websocket-key"] + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")
      .digest("base64");
    socket.write(
      `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`,
    );
    sockets.add(socket);
    socket.on("error", () => {});
    // Answer a client close frame (opcode 8) the way RFC 6455 asks: echo it and end.
    socket.on("data", (buf) => {
      if ((buf[0] & 0x0f) === 0x8) socket.end(Buffer.from([0x88, 0x02, 0x03, 0xe8]));
    });
    socket.on("close", () => sockets.delete(socket));
    socket.write(wsFrame(JSON.stringify({ type: "hello", projectId: "p1", lastSeq: state.released })));
    let sent = 0;
    // Replays from `since` but deliberately also resends the two events before it: the client must dedupe.
    let next = Math.max(1, since - 1);
    const tick = setInterval(() => {
      if (socket.destroyed) return clearInterval(tick);
      if (next > log.length) return;
      if (sent >= dropWsAfter && state.wsConnects.length === 1) {
        clearInterval(tick);
        return socket.destroy();
      }
      state.released = Math.max(state.released, next);
      const e = log[next - 1];
      next++;
      if (gapAt === e.seq && state.wsConnects.length === 1) return; // lost frame
      sent++;
      socket.write(wsFrame(JSON.stringify({ type: "event", event: e })));
    }, 5);
  });
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () =>
      resolve({
        url: `http://127.0.0.1:${server.address().port}`,
        state,
        log,
        close: () => {
          for (const s of sockets) s.destroy();
          return new Promise((r) => server.close(r));
        },
      }),
    ),
  );
}

function run(args, { node = process.execPath, env = {} } = {}) {
  return new Promise((resolve) => {
    execFile(node, [CLI, ...args], { env: { ...process.env, NO_COLOR: "1", ...env }, timeout: 15_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? (err.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

const lines = (s) =>
  s
    .split("\n")
    .filter(Boolean)
    .map((l) => l.replace(/^\d\d:\d\d:\d\d {2}/, ""));
const EXPECTED_TAIL = ["CTO            succeeded (attempt 1)", "project        succeeded"];

let srv;
afterEach(async () => {
  await srv?.close();
});

describe("proximus CLI", () => {
  beforeEach(() => {
    srv = undefined;
  });

  it("new: posts the idea and budget, prints the id; validation errors name the field", async () => {
    srv = await startServer();
    const ok = await run(["new", "A", "dog", "grooming", "app", "--budget", "2.5", "--url", srv.url], {
      env: { PROXIMUS_TOKEN: "tok123" },
    });
    expect(ok.code).toBe(0);
    expect(ok.stdout.trim()).toBe("p1");
    const post = srv.state.requests.find((r) => r.method === "POST");
    expect(JSON.parse(post.body)).toEqual({ idea: "A dog grooming app", budgetUsd: 2.5 });
    expect(post.auth).toBe("Bearer tok123");
    const bad = await run(["new", "ab", "--url", srv.url]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("Invalid request (idea: idea must be at least 3 characters)");
  });

  it("list and download", async () => {
    srv = await startServer();
    const list = await run(["list", "--url", srv.url]);
    expect(list.code).toBe(0);
    expect(lines(list.stdout)[1]).toMatch(/^p1\s+running\s+\$0\.50 \/ \$5\.00\s+A dog grooming app$/);
    const dir = mkdtempSync(path.join(tmpdir(), "proximus-cli-"));
    const out = path.join(dir, "x.zip");
    const dl = await run(["download", "p1", "-o", out, "--url", srv.url]);
    expect(dl.code).toBe(0);
    expect(readFileSync(out).subarray(0, 4).toString("binary")).toBe("PK\x05\x06");
    const missing = await run(["download", "nope", "--url", srv.url]);
    expect([missing.code, missing.stderr.trim()]).toEqual([1, "proximus: project not found"]);
  });

  it("watch over WebSocket: survives a dropped socket and a lost frame with no duplicate or missing lines", async () => {
    srv = await startServer({ dropWsAfter: 7, gapAt: 5 });
    const r = await run(["watch", "p1", "--url", srv.url]);
    expect(r.stderr).not.toContain("polling");
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(srv.state.wsConnects.length).toBeGreaterThanOrEqual(2);
    expect(srv.state.wsConnects[1]).toBeGreaterThan(0);
    const out = lines(r.stdout);
    const logLines = out.filter((l) => l.includes("│"));
    expect(logLines).toEqual(["CEO            │ PRD started", "CTO            │ Architecture started"]);
    expect(out.filter((l) => l.includes("+ docs/"))).toHaveLength(2);
    expect(out.filter((l) => /^(CEO|CTO)\s+(running|succeeded)/.test(l))).toEqual([
      "CEO            running (attempt 1)",
      "CEO            succeeded (attempt 1)",
      "CTO            running (attempt 1)",
      "CTO            succeeded (attempt 1)",
    ]);
    expect(out.slice(-4, -2)).toEqual(EXPECTED_TAIL);
  });

  it("watch: a task held by a concurrency limit reads queued with the limit, a sandbox wait and a pause say why", async () => {
    srv = await startServer({ waits: true });
    const r = await run(["watch", "p1", "--url", srv.url]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const out = lines(r.stdout);
    expect(
      out.filter((l) => /^(CEO|CTO) /.test(l) && !l.includes("│") && !l.includes("usage") && !l.includes("+ ") && !l.includes("created:")),
    ).toEqual([
      `CEO            waiting: ${SANDBOX_WAIT}`,
      "CEO            running (attempt 1)",
      "CEO            succeeded (attempt 1)",
      "CTO            running (attempt 1)",
      "CTO            queued: 1 running, at this user's limit of 1 tasks at once (MAX_TASKS_PER_USER) — attempt 1",
      "CTO            running (attempt 1) — started after 2.5 s queued",
      "CTO            succeeded (attempt 1)",
    ]);
    expect(out).toContain(`               paused: ${PAUSE} — raise the budget in the dashboard to resume`);
    expect(out.slice(-4, -2)).toEqual(EXPECTED_TAIL);
  });

  it.runIf(existsSync(NODE20))("watch on Node 20 polls the events endpoint", async () => {
    srv = await startServer();
    const r = await run(["watch", "p1", "--url", srv.url], { node: NODE20 });
    expect(r.code).toBe(0);
    expect(srv.state.wsConnects).toEqual([]);
    expect(srv.state.requests.filter((q) => q.path.endsWith("/events")).length).toBeGreaterThanOrEqual(4);
    const out = lines(r.stdout);
    expect(out.filter((l) => l.includes("│"))).toHaveLength(2);
    expect(out.slice(-4, -2)).toEqual(EXPECTED_TAIL);
  });
});
