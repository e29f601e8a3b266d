import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createProjectAs, gw, login, withBearer, type Session } from "../saas-helpers";

const saas = env.AUTH_MODE === "saas";
const UNKNOWN = "7b0b1e55-0000-4000-8000-000000000000";

interface Route {
  name: string;
  req: (id: string) => [string, RequestInit["method"], unknown?, Record<string, string>?];
}

/** Every route that takes a project id. */
const ROUTES: Route[] = [
  { name: "get", req: (id) => [`/api/projects/${id}`, "GET"] },
  { name: "events", req: (id) => [`/api/projects/${id}/events?since=0`, "GET"] },
  { name: "budget", req: (id) => [`/api/projects/${id}/budget`, "POST", { budgetUsd: 50 }] },
  { name: "retry", req: (id) => [`/api/projects/${id}/tasks/ceo/retry`, "POST"] },
  { name: "artifacts list", req: (id) => [`/api/projects/${id}/artifacts`, "GET"] },
  { name: "artifact file", req: (id) => [`/api/projects/${id}/artifacts/README.md`, "GET"] },
  { name: "download", req: (id) => [`/api/projects/${id}/download`, "GET"] },
  { name: "ws-ticket", req: (id) => [`/api/projects/${id}/ws-ticket`, "POST"] },
  { name: "ws", req: (id) => [`/api/projects/${id}/ws`, "GET", undefined, { upgrade: "websocket" }] },
  { name: "cancel", req: (id) => [`/api/projects/${id}`, "DELETE"] },
];

async function call(s: Session, r: Route, id: string): Promise<{ status: number; body: string }> {
  const [path, method, body, headers] = r.req(id);
  const res = await gw(path, withBearer(s.accessToken, method, body, headers));
  if (res.webSocket) {
    res.webSocket.accept();
    res.webSocket.close(1000, "test done");
    return { status: res.status, body: "" };
  }
  const type = res.headers.get("content-type") ?? "";
  return {
    status: res.status,
    body: type.includes("json") || type.startsWith("text/") ? await res.text() : `${type}, ${(await res.arrayBuffer()).byteLength} bytes`,
  };
}

describe.runIf(saas)("tenant isolation", () => {
  it("another user's project answers exactly like an unknown id on every route", async () => {
    const alice = await login("alice-iso");
    const bob = await login("bob-iso");
    const project = await createProjectAs(alice, "alice's secret startup");

    const bobsList = await (await gw("/api/projects", withBearer(bob.accessToken))).json<{ projects: { id: string }[] }>();
    expect(bobsList.projects.map((p) => p.id)).not.toContain(project.id);
    const alicesList = await (await gw("/api/projects", withBearer(alice.accessToken))).json<{ projects: { id: string }[] }>();
    expect(alicesList.projects.map((p) => p.id)).toContain(project.id);

    for (const r of ROUTES) {
      const unknown = await call(bob, r, UNKNOWN);
      const theirs = await call(bob, r, project.id);
      expect({ route: r.name, ...theirs }).toEqual({ route: r.name, ...unknown });
      expect(theirs.status, r.name).toBe(404);
      expect(theirs.body, r.name).not.toContain(project.id);
      // The owner does reach the project (so the 404 above is about ownership, not the route).
      const own = await call(alice, r, project.id);
      expect({ route: r.name, same: own.body === unknown.body }).toEqual({ route: r.name, same: false });
    }

    // The project is still Alice's, with the budget her own call set.
    const detail = await (await gw(`/api/projects/${project.id}`, withBearer(alice.accessToken))).json<{ budgetUsd: number }>();
    expect(detail.budgetUsd).toBe(50);
    const row = await env.DB.prepare("SELECT owner_id FROM projects WHERE id = ?").bind(project.id).first<{ owner_id: string }>();
    expect(row).toEqual({ owner_id: alice.user.id });
  });

  it("provider keys and agent prefs are per user", async () => {
    const alice = await login("alice-keys");
    const bob = await login("bob-keys");
    expect((await gw("/api/settings/keys/openai", withBearer(alice.accessToken, "PUT", { apiKey: "sk-alice-0123456789" }))).status).toBe(
      204,
    );
    expect(
      (await gw("/api/settings/agent-prefs", withBearer(alice.accessToken, "PUT", { prefs: { ceo: { strategy: "cost-saver" } } }))).status,
    ).toBe(200);

    const bobKeys = await (
      await gw("/api/settings/keys", withBearer(bob.accessToken))
    ).json<{ providers: { name: string; configured: boolean }[] }>();
    expect(bobKeys.providers.find((p) => p.name === "openai")!.configured).toBe(false);
    expect(await (await gw("/api/settings/agent-prefs", withBearer(bob.accessToken))).json()).toEqual({ prefs: {} });

    // Bob deleting "openai" deletes his (absent) key, not Alice's.
    expect((await gw("/api/settings/keys/openai", withBearer(bob.accessToken, "DELETE"))).status).toBe(204);
    const aliceKeys = await (
      await gw("/api/settings/keys", withBearer(alice.accessToken))
    ).json<{ providers: { name: string; configured: boolean }[] }>();
    expect(aliceKeys.providers.find((p) => p.name === "openai")!.configured).toBe(true);
    expect(await (await gw("/api/settings/agent-prefs", withBearer(alice.accessToken))).json()).toEqual({
      prefs: { ceo: { strategy: "cost-saver" } },
    });
    // No vendor is reachable from tests: leave no key behind.
    expect((await gw("/api/settings/keys/openai", withBearer(alice.accessToken, "DELETE"))).status).toBe(204);
  });

  it("idempotency keys are per user", async () => {
    const alice = await login("alice-idem");
    const bob = await login("bob-idem");
    const key = { "idempotency-key": "shared-key-1" };
    const a = await gw("/api/projects", withBearer(alice.accessToken, "POST", { idea: "the same idea" }, key));
    const b = await gw("/api/projects", withBearer(bob.accessToken, "POST", { idea: "the same idea" }, key));
    expect(a.status).toBe(201);
    expect(b.status).toBe(201);
    expect(b.headers.get("idempotency-replayed")).toBeNull();
    const [pa, pb] = [await a.json<{ id: string }>(), await b.json<{ id: string }>()];
    expect(pb.id).not.toBe(pa.id);
    const owner = await env.DB.prepare("SELECT owner_id FROM projects WHERE id = ?").bind(pb.id).first<{ owner_id: string }>();
    expect(owner!.owner_id).toBe(bob.user.id);
  });
});
