// proximus — submit an idea to a Proximus gateway and follow the agents at work.
// Started by ./proximus.mjs, which lets it import the shared TypeScript contracts (event union,
// fold, role registry). Node 22+ follows events over the WebSocket; Node 20 (no global
// WebSocket) polls GET /api/projects/:id/events instead. Both resume from the last seq seen.
import { parseArgs } from "node:util";
import { writeFile } from "node:fs/promises";
import { ProjectEvent } from "@proximus/contracts/events";
import { foldEvents } from "@proximus/contracts/project-view";
import { ROLE_LABELS } from "@proximus/contracts/roles";
// The dashboard's reading of a task's phase (queued on a limit, waiting on the sandbox), so both say the same.
import { taskPhase } from "../web/src/lib/taskPhase.ts";

const USAGE = `Usage:
  proximus new "idea" [--budget USD] [--watch]   start a project (prints its id)
  proximus list                                  list projects
  proximus watch <id> [--tokens] [--poll]        follow a project until it finishes
  proximus download <id> [-o file.zip]           download the generated project

Options:
  --url URL     gateway URL (default: $PROXIMUS_URL or http://localhost:8787)
  --tokens      also print streamed LLM tokens
  --poll        poll the events endpoint instead of using a WebSocket
  -h, --help    show this help
Environment: PROXIMUS_URL, PROXIMUS_TOKEN (bearer token for a SaaS gateway).`;

const TERMINAL = new Set(["succeeded", "failed", "cancelled"]);

class CliError extends Error {}

const color = process.stdout.isTTY && !process.env.NO_COLOR;
const paint = (code, s) => (color ? `\x1b[${code}m${s}\x1b[0m` : s);
const STATE_COLORS = { succeeded: 32, failed: 31, running: 33, ready: 36, cancelled: 90, paused: 35, pending: 90, queued: 35, waiting: 36 };
const stateText = (s) => paint(STATE_COLORS[s] ?? 0, s);

function baseUrl(opt) {
  const raw = opt ?? process.env.PROXIMUS_URL ?? "http://localhost:8787";
  try {
    return new URL(raw).toString().replace(/\/$/, "");
  } catch {
    throw new CliError(`invalid --url: ${raw}`);
  }
}

function authHeaders() {
  return process.env.PROXIMUS_TOKEN ? { authorization: `Bearer ${process.env.PROXIMUS_TOKEN}` } : {};
}

/** Calls the API; non-2xx responses become CliErrors carrying the envelope's message and field names. */
async function api(base, path, { method = "GET", body, raw = false } = {}) {
  const headers = { accept: "application/json", ...authHeaders() };
  if (body !== undefined) headers["content-type"] = "application/json";
  let res;
  try {
    res = await fetch(base + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch (err) {
    throw new CliError(`cannot reach ${base}: ${err.cause?.code ?? err.message}`);
  }
  if (!res.ok) {
    const text = await res.text();
    let message = `HTTP ${res.status}`;
    try {
      const { error } = JSON.parse(text);
      if (error?.message) {
        message = error.message;
        if (Array.isArray(error.details)) {
          const fields = error.details.filter((d) => d && typeof d.field === "string").map((d) => `${d.field}: ${d.message}`);
          if (fields.length) message += ` (${fields.join("; ")})`;
        }
      }
    } catch {
      // not an envelope; keep the status line
    }
    throw new CliError(message);
  }
  return raw ? res : res.json();
}

const usd = (n) => (typeof n === "number" ? `$${n < 0.01 && n > 0 ? n.toFixed(4) : n.toFixed(2)}` : "—");
const time = (ts) => new Date(ts).toTimeString().slice(0, 8);

async function cmdNew(base, positionals, values) {
  const idea = positionals.join(" ").trim();
  if (!idea) throw new CliError('missing idea: proximus new "a marketplace for …"');
  const body = { idea };
  if (values.budget !== undefined) {
    const n = Number(values.budget);
    if (!Number.isFinite(n) || n <= 0) throw new CliError("--budget must be a positive number of USD");
    body.budgetUsd = n;
  }
  const p = await api(base, "/api/projects", { method: "POST", body });
  console.log(p.id);
  console.error(`created project ${p.id} (${p.tasks?.length ?? 0} tasks) — ${base}/projects/${encodeURIComponent(p.id)}`);
  if (values.watch) return cmdWatch(base, [p.id], values);
  return 0;
}

async function cmdList(base) {
  const { projects } = await api(base, "/api/projects");
  if (projects.length === 0) {
    console.log("no projects");
    return 0;
  }
  const rows = projects.map((p) => [
    p.id,
    p.state,
    `${usd(p.spentUsd)}${p.budgetUsd != null ? ` / ${usd(p.budgetUsd)}` : ""}`,
    p.idea.replace(/\s+/g, " ").slice(0, 60),
  ]);
  const widths = [0, 1, 2].map((i) => Math.max(...rows.map((r) => r[i].length), ["ID", "STATE", "SPENT"][i].length));
  const line = (r) => r.map((c, i) => (i < 3 ? c.padEnd(widths[i]) : c)).join("  ");
  console.log(line(["ID", "STATE", "SPENT", "IDEA"]));
  for (const r of rows) console.log(line(r));
  return 0;
}

async function cmdDownload(base, positionals, values) {
  const id = positionals[0];
  if (!id) throw new CliError("missing project id: proximus download <id> [-o file.zip]");
  const res = await api(base, `/api/projects/${encodeURIComponent(id)}/download`, { raw: true });
  const buf = Buffer.from(await res.arrayBuffer());
  // Every zip starts with a local file header (or, when empty, the end-of-central-directory record).
  if (buf.length < 4 || buf[0] !== 0x50 || buf[1] !== 0x4b) throw new CliError("the server did not return a zip file");
  const out = values.output ?? `proximus-${id}.zip`;
  await writeFile(out, buf);
  console.log(`saved ${out} (${buf.length} bytes)`);
  return 0;
}

const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;

/**
 * One task.state line, read from the folded view (so legacy events read like new ones): a handed-off
 * task held by a concurrency limit is "queued: <which limit>", a ready one held by the sandbox host
 * "waiting: <why>", and an agent that began after a wait says how long it queued.
 */
function taskStateText(e, view) {
  const d = e.data;
  const t = view.tasks.find((x) => x.id === e.taskId);
  const phase = t ? taskPhase(t) : { kind: d.state, label: d.state, reason: null };
  // The reason often ends in a parenthesis (the limit's variable): the attempt goes after a dash.
  if (phase.reason) return `${stateText(phase.label)}: ${phase.reason}${d.attempt ? ` — attempt ${d.attempt}` : ""}`;
  // A finished attempt names how it ended unless that is the plain "finished".
  const ended =
    (d.state === "succeeded" || d.state === "failed") && d.stopReason && d.stopReason !== "finished" ? ` [${d.stopReason}]` : "";
  let text = `${stateText(d.state)}${d.attempt ? ` (attempt ${d.attempt})` : ""}${ended}${d.error ? ` — ${d.error}` : ""}`;
  const queuedMs = t && d.state === "running" && t.startedAt !== null && t.dispatchedAt !== null ? t.startedAt - t.dispatchedAt : 0;
  if (queuedMs >= 1000) text += ` — started after ${seconds(queuedMs)} queued`;
  return text;
}

/** Prints one event (already checked against the event union); returns the project's state when it finishes the project. */
function printEvent(e, view, values) {
  const who = () => {
    const t = e.taskId ? view.tasks.find((x) => x.id === e.taskId) : undefined;
    return (t ? ROLE_LABELS[t.role] : (e.taskId ?? "project")).padEnd(13);
  };
  const d = e.data;
  switch (e.type) {
    case "task.created":
      if ("task" in d) console.log(`${time(e.ts)}  ${who()}  created: ${d.task.title}`);
      break;
    case "task.state":
      console.log(`${time(e.ts)}  ${who()}  ${taskStateText(e, view)}`);
      break;
    case "task.log":
      console.log(`${time(e.ts)}  ${who()}  │ ${d.text}`);
      break;
    case "task.token":
      if (values.tokens) process.stdout.write(d.text);
      break;
    case "usage.recorded":
      console.log(
        paint(90, `${time(e.ts)}  ${who()}  usage ${d.provider}/${d.model} ${d.inputTokens}→${d.outputTokens} tokens ${usd(d.costUsd)}`),
      );
      break;
    case "artifact.stored":
      console.log(`${time(e.ts)}  ${who()}  + ${d.path} (${d.bytes} B)`);
      break;
    case "project.state":
      console.log(`${time(e.ts)}  ${"project".padEnd(13)}  ${stateText(d.state)}`);
      if (d.state === "paused")
        console.log(`               paused: ${d.reason ?? "at its budget"} — raise the budget in the dashboard to resume`);
      if (TERMINAL.has(d.state)) return d.state;
      break;
    default:
      break;
  }
  return null;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Follows a project's event log from seq 0 until it reaches a terminal state. Events are processed
 * strictly in seq order: duplicates (replays after a reconnect) are skipped, and a hole is filled from
 * the events endpoint before anything after it is printed.
 */
async function follow(base, id, { onEvent, poll }) {
  const path = `/api/projects/${encodeURIComponent(id)}`;
  let last = 0;
  let finished = null;
  const fetchSince = async (since) => (await api(base, `${path}/events?since=${since}&limit=1000`)).events;
  const handle = async (e) => {
    if (finished || e.seq <= last) return;
    if (e.seq > last + 1) {
      for (const missed of await fetchSince(last)) {
        if (missed.seq >= e.seq || finished) break;
        if (missed.seq === last + 1) await handle(missed);
      }
    }
    if (finished || e.seq !== last + 1) return;
    last = e.seq;
    const parsed = ProjectEvent.safeParse(e);
    if (!parsed.success) {
      console.error(`skipping event ${e.seq} (${e.type}): not an event this CLI knows — is it older than the gateway?`);
      return;
    }
    finished = onEvent(parsed.data) ?? null;
  };
  // A log can end without a project.state event we saw (e.g. it predates us): ask the snapshot.
  const finishedBySnapshot = async () => {
    const p = await api(base, path);
    return TERMINAL.has(p.state) && last >= p.lastSeq ? p.state : null;
  };

  const useWs = !poll && typeof globalThis.WebSocket === "function";
  let wsFailures = 0;
  // A connecting undici WebSocket does not hold the event loop open; this timer does.
  const keepAlive = setInterval(() => {}, 60_000);
  try {
    await followLoop();
  } finally {
    clearInterval(keepAlive);
  }
  return finished;

  async function followLoop() {
    while (!finished) {
      if (useWs && wsFailures < 5) {
        const closedCleanly = await new Promise((resolve) => {
          const url = `${base.replace(/^http/, "ws")}${path}/ws?since=${last}`;
          const ws = new WebSocket(url, process.env.PROXIMUS_TOKEN ? { headers: authHeaders() } : undefined);
          let chain = Promise.resolve();
          let hello = false;
          let idle = null;
          const check = () => {
            clearTimeout(idle);
            idle = setTimeout(() => {
              chain = chain.then(async () => {
                if (!finished) finished = await finishedBySnapshot();
                if (finished) {
                  ws.close();
                  resolve(true);
                } else check();
              });
            }, 10_000);
          };
          ws.onmessage = (m) => {
            let frame;
            try {
              frame = JSON.parse(String(m.data));
            } catch {
              return;
            }
            if (frame.type === "hello") {
              hello = true;
              wsFailures = 0;
              check();
            } else if (frame.type === "event") {
              check();
              chain = chain
                .then(() => handle(frame.event))
                .then(() => {
                  // Done: no need to wait for the close handshake.
                  if (finished) {
                    clearTimeout(idle);
                    ws.close();
                    resolve(true);
                  }
                });
            } else if (frame.type === "error") console.error(`server: ${frame.message}`);
          };
          ws.onerror = () => {
            clearTimeout(idle);
            chain.then(
              () => resolve(hello),
              () => resolve(false),
            );
          };
          ws.onclose = () => {
            clearTimeout(idle);
            chain.then(
              () => resolve(hello),
              () => resolve(false),
            );
          };
        });
        if (!finished) {
          if (!closedCleanly) wsFailures++;
          await sleep(Math.min(8000, 300 * 2 ** wsFailures));
          if (wsFailures === 5) console.error("websocket unavailable; polling the events endpoint");
        }
      } else {
        const events = await fetchSince(last);
        for (const e of events) await handle(e);
        if (!finished && events.length === 0) {
          finished = await finishedBySnapshot();
          if (!finished) await sleep(1000);
        }
      }
    }
  }
}

async function cmdWatch(base, positionals, values) {
  const id = positionals[0];
  if (!id) throw new CliError("missing project id: proximus watch <id>");
  const detail = await api(base, `/api/projects/${encodeURIComponent(id)}`);
  // The snapshot rolled forward with the one fold every client uses; events it already has are skipped.
  let view = detail;
  console.error(`watching ${detail.id}: ${detail.idea.replace(/\s+/g, " ").slice(0, 80)}`);
  const state = await follow(base, detail.id, {
    onEvent: (e) => {
      view = foldEvents(view, [e]);
      return printEvent(e, view, values);
    },
    poll: values.poll,
  });
  const final = await api(base, `/api/projects/${encodeURIComponent(id)}`);
  console.log(
    `project ${final.id} ${stateText(state)} — spent ${usd(final.spentUsd)}${final.budgetUsd != null ? ` of ${usd(final.budgetUsd)}` : ""}`,
  );
  if (state === "succeeded") console.log(`download: proximus download ${final.id}`);
  return state === "succeeded" ? 0 : 1;
}

async function main(argv) {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      url: { type: "string" },
      budget: { type: "string" },
      output: { type: "string", short: "o" },
      watch: { type: "boolean" },
      tokens: { type: "boolean" },
      poll: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
  const [cmd, ...rest] = positionals;
  if (values.help || !cmd) {
    console.log(USAGE);
    return cmd || values.help ? 0 : 2;
  }
  const base = baseUrl(values.url);
  switch (cmd) {
    case "new":
      return cmdNew(base, rest, values);
    case "list":
      return cmdList(base);
    case "watch":
      return cmdWatch(base, rest, values);
    case "download":
      return cmdDownload(base, rest, values);
    default:
      throw new CliError(`unknown command "${cmd}"\n\n${USAGE}`);
  }
}

export function run(argv) {
  return main(argv).then(
    (code) => process.exit(code),
    (err) => {
      console.error(
        `proximus: ${err instanceof CliError || err?.code === "ERR_PARSE_ARGS_UNKNOWN_OPTION" ? err.message : (err?.stack ?? err)}`,
      );
      process.exit(1);
    },
  );
}
