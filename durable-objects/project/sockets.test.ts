import { evictDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { ServerFrame, type ProjectEvent } from "@proximus/contracts";
import { holdProject, settle } from "../../workers/gateway/test/hold-dispatcher";
import { api, createProject, expectEnvelope } from "../../workers/gateway/test/helpers";
import type { ProjectRpc } from "../../workers/gateway/src/project-stub";

const textOf = (e: ProjectEvent) => (e.type === "task.log" || e.type === "task.token" ? e.data.text : undefined);

interface Client {
  ws: WebSocket;
  frames: ServerFrame[];
  events(): ProjectEvent[];
  waitFor(pred: (frames: ServerFrame[]) => boolean, what: string): Promise<void>;
  closed: Promise<{ code: number }>;
}

async function connect(stub: ProjectRpc, since: number): Promise<Client> {
  const res = await stub.fetch(new Request(`http://do/ws?since=${since}`, { headers: { Upgrade: "websocket" } }));
  expect(res.status).toBe(101);
  const ws = res.webSocket!;
  const frames: ServerFrame[] = [];
  const waiters: (() => void)[] = [];
  ws.addEventListener("message", (m) => {
    frames.push(ServerFrame.parse(JSON.parse(m.data as string)));
    waiters.forEach((w) => w());
  });
  const closed = new Promise<{ code: number }>((resolve) => ws.addEventListener("close", (e) => resolve({ code: e.code })));
  ws.accept();
  const client: Client = {
    ws,
    frames,
    closed,
    events: () => frames.flatMap((f) => (f.type === "event" ? [f.event] : [])),
    waitFor: (pred, what) =>
      new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`timed out waiting for ${what}; got ${JSON.stringify(frames.map((f) => f.type))}`)),
          5_000,
        );
        const check = () => {
          if (pred(frames)) {
            clearTimeout(timer);
            resolve();
          }
        };
        waiters.push(check);
        check();
      }),
  };
  return client;
}

const log = (stub: ProjectRpc, text: string) =>
  stub.applyAgentEvent({ v: 1, projectId: "p", taskId: "ceo", attempt: 1, kind: "log", text, ts: Date.now() });

describe("project WebSocket", () => {
  it("says hello, replays the log from since, then streams live events in seq order", async () => {
    const held = await holdProject("ws-replay");
    await settle(held);
    const { stub } = held;
    const { lastSeq } = await stub.events(0, 1);
    const c = await connect(stub, 0);
    await c.waitFor((f) => f.filter((x) => x.type === "event").length >= lastSeq, "replay");
    expect(c.frames[0]).toEqual({ type: "hello", projectId: "ws-replay", lastSeq });
    await log(stub, "live one");
    await c.waitFor(() => c.events().some((e) => textOf(e) === "live one"), "live event");
    const seqs = c.events().map((e) => e.seq);
    expect(seqs).toEqual(seqs.map((_, i) => i + 1));
    c.ws.close(1000, "bye");
  });

  it("a reconnect with since gets every missed event exactly once", async () => {
    const held = await holdProject("ws-resume");
    await settle(held);
    const { stub } = held;
    const first = await connect(stub, 0);
    await log(stub, "a");
    await first.waitFor(() => first.events().some((e) => textOf(e) === "a"), "a");
    const seen = first.events().at(-1)!.seq;
    first.ws.close(1000, "network blip");
    await log(stub, "b");
    await log(stub, "c");
    const second = await connect(stub, seen);
    await second.waitFor(() => second.events().some((e) => textOf(e) === "c"), "c");
    await log(stub, "d");
    await second.waitFor(() => second.events().some((e) => textOf(e) === "d"), "d");
    const texts = second.events().map((e) => textOf(e));
    expect(texts).toEqual(["b", "c", "d"]);
    expect(second.events()[0]!.seq).toBe(seen + 1);
    second.ws.close(1000);
  });

  it("keeps streaming to sockets across hibernation without duplicates", async () => {
    const held = await holdProject("ws-hibernate");
    await settle(held);
    const { stub, raw } = held;
    const c = await connect(stub, 0);
    const { lastSeq } = await stub.events(0, 1);
    await c.waitFor(() => c.events().length === lastSeq, "replay");
    await evictDurableObject(raw);
    await log(stub, "after eviction");
    await c.waitFor(() => c.events().some((e) => textOf(e) === "after eviction"), "post-eviction event");
    const seqs = c.events().map((e) => e.seq);
    expect(new Set(seqs).size).toBe(seqs.length);
    expect(seqs.at(-1)).toBe(lastSeq + 1);
    c.ws.close(1000);
  });

  it("answers ping with pong and a bad frame with an error frame", async () => {
    const held = await holdProject("ws-ping");
    await settle(held);
    const { stub } = held;
    const c = await connect(stub, 1_000_000);
    c.ws.send(JSON.stringify({ type: "ping" }));
    await c.waitFor((f) => f.some((x) => x.type === "pong"), "pong");
    c.ws.send("rm -rf /");
    await c.waitFor((f) => f.some((x) => x.type === "error"), "error frame");
    // since beyond the end replays nothing.
    expect(c.events()).toEqual([]);
    c.ws.close(1000);
  });

  it("answers a client close", async () => {
    const held = await holdProject("ws-close");
    await settle(held);
    const { stub } = held;
    const c = await connect(stub, 0);
    c.ws.close(4000, "client leaving");
    const { code } = await c.closed;
    expect(code).toBe(4000);
  });

  it("the gateway route needs an upgrade and an existing project", async () => {
    const p = await createProject();
    await expectEnvelope(await api(`/api/projects/${p.id}/ws`), 400, "bad_request");
    await expectEnvelope(
      await api(`/api/projects/00000000-0000-4000-8000-000000000000/ws`, { headers: { Upgrade: "websocket" } }),
      404,
      "not_found",
    );
    const res = await api(`/api/projects/${p.id}/ws?since=0`, { headers: { Upgrade: "websocket" } });
    expect(res.status).toBe(101);
    res.webSocket!.accept();
    res.webSocket!.close(1000);
  });
});
