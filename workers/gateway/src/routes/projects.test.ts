import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { api, createProject, expectEnvelope, postJson } from "../../test/helpers";

describe("POST /api/projects validation", () => {
  it("rejects bad JSON with 400 naming the body", async () => {
    const err = await expectEnvelope(await postJson("/api/projects", "{not json"), 400, "bad_request");
    expect(err.details?.[0]?.field).toBe("(body)");
  });

  it("rejects a missing idea, naming the field", async () => {
    const err = await expectEnvelope(await postJson("/api/projects", {}), 400, "validation_failed");
    expect(err.details?.map((d) => d.field)).toContain("idea");
  });

  it("rejects an idea over 10 kB", async () => {
    const err = await expectEnvelope(await postJson("/api/projects", { idea: "x".repeat(10_001) }), 400, "validation_failed");
    expect(err.details?.[0]).toMatchObject({ field: "idea" });
    // 10 000 bytes exactly is allowed (multi-byte characters count as bytes).
    expect((await postJson("/api/projects", { idea: "x".repeat(10_000) })).status).toBe(201);
    await expectEnvelope(await postJson("/api/projects", { idea: "é".repeat(5_001) }), 400, "validation_failed");
  });

  it("rejects unknown fields, naming them", async () => {
    const err = await expectEnvelope(
      await postJson("/api/projects", { idea: "a todo app", owner: "someone-else" }),
      400,
      "validation_failed",
    );
    expect(err.details?.map((d) => d.field)).toEqual(["owner"]);
    const nested = await expectEnvelope(
      await postJson("/api/projects", { idea: "a todo app", llm: { ceo: { temprature: 0.2 } } }),
      400,
      "validation_failed",
    );
    expect(nested.details?.map((d) => d.field)).toEqual(["llm.ceo.temprature"]);
  });

  it("rejects wrong types", async () => {
    const err = await expectEnvelope(await postJson("/api/projects", { idea: "a todo app", budgetUsd: "5" }), 400, "validation_failed");
    expect(err.details?.map((d) => d.field)).toEqual(["budgetUsd"]);
    const err2 = await expectEnvelope(await postJson("/api/projects", { idea: 42 }), 400, "validation_failed");
    expect(err2.details?.map((d) => d.field)).toEqual(["idea"]);
    const err3 = await expectEnvelope(
      await postJson("/api/projects", { idea: "a todo app", llm: { ceo: { provider: "skynet" } } }),
      400,
      "validation_failed",
    );
    expect(err3.details?.map((d) => d.field)).toEqual(["llm.ceo.provider"]);
  });

  it("answers 415 to a body that is not declared as JSON or arrives compressed", async () => {
    const body = JSON.stringify({ idea: "a booking app for dog groomers" });
    for (const type of ["text/plain", "application/x-www-form-urlencoded", "text/json"]) {
      const err = await expectEnvelope(
        await api("/api/projects", { method: "POST", headers: { "content-type": type }, body }),
        415,
        "unsupported_media_type",
      );
      expect(err.details?.[0]?.field).toBe("content-type");
    }
    const untyped = await api("/api/projects", { method: "POST", body: new TextEncoder().encode(body) });
    await expectEnvelope(untyped, 415, "unsupported_media_type");
    for (const encoding of ["gzip", "br", "deflate"]) {
      const res = await api("/api/projects", {
        method: "POST",
        headers: { "content-type": "application/json", "content-encoding": encoding },
        body,
      });
      expect((await expectEnvelope(res, 415, "unsupported_media_type")).details?.[0]?.field).toBe("content-encoding");
    }
    // Parameters and case do not matter; identity is no encoding at all.
    const ok = await api("/api/projects", {
      method: "POST",
      headers: { "content-type": "Application/JSON; charset=utf-8", "content-encoding": "identity" },
      body,
    });
    expect(ok.status).toBe(201);
  });

  it("rejects an idea made only of invisible characters, naming idea", async () => {
    for (const idea of [
      "\u0000\u0000\u0000\u0000",
      "\u200b\u200b\u200b\u200b",
      "\u200d\ufeff\u2060\u00ad",
      "\u3000\u00a0\u2028\u3164",
      " \u0007\u001b\u200e\u202e ",
    ]) {
      const err = await expectEnvelope(await postJson("/api/projects", { idea }), 400, "validation_failed");
      expect(new Set(err.details?.map((d) => d.field))).toEqual(new Set(["idea"]));
    }
    await expectEnvelope(await postJson("/api/projects", { idea: "a\u200b\u200b\u200b\u200bb" }), 400, "validation_failed");
    // Visible text with an invisible character inside is still an idea.
    expect((await postJson("/api/projects", { idea: "dog\u200bgroomers" })).status).toBe(201);
  });

  it("rejects a body over 64 kB with 413", async () => {
    await expectEnvelope(await postJson("/api/projects", { idea: "y".repeat(70_000) }), 413, "payload_too_large");
  });
});

describe("projects", () => {
  it("creates a project with its DAG and lists it", async () => {
    const p = await createProject("a booking app for dog groomers", { budgetUsd: 5 });
    expect(p.state).toBe("running");
    expect(p.budgetUsd).toBe(5);
    expect(p.tasks.map((t) => t.id)).toEqual(["ceo", "cto", "engineer_fe", "engineer_be", "qa", "devops", "finance"]);
    expect(p.tasks.find((t) => t.id === "ceo")!.state).toBe("ready");
    expect(p.tasks.filter((t) => t.id !== "ceo").every((t) => t.state === "pending")).toBe(true);

    const row = await env.DB.prepare("SELECT owner_id, idea, budget_usd FROM projects WHERE id = ?").bind(p.id).first();
    expect(row).toEqual({ owner_id: "local", idea: "a booking app for dog groomers", budget_usd: 5 });

    const list = await (await api("/api/projects")).json<{ projects: { id: string }[] }>();
    expect(list.projects.map((x) => x.id)).toContain(p.id);

    const got = await (await api(`/api/projects/${p.id}`)).json<{ id: string; tasks: unknown[] }>();
    expect(got.id).toBe(p.id);
    expect(got.tasks).toHaveLength(7);
  });

  it("answers 404 for unknown and malformed ids", async () => {
    await expectEnvelope(await api("/api/projects/7b0b1e55-0000-4000-8000-000000000000"), 404, "not_found");
    await expectEnvelope(await api("/api/projects/../../etc/passwd"), 404, "not_found");
    await expectEnvelope(await api("/api/projects/not-a-uuid/events"), 404, "not_found");
    await expectEnvelope(await api("/api/nothing-here"), 404, "not_found");
  });

  it("validates the events query", async () => {
    const p = await createProject();
    await expectEnvelope(await api(`/api/projects/${p.id}/events?since=-1`), 400, "validation_failed");
    await expectEnvelope(await api(`/api/projects/${p.id}/events?since=abc`), 400, "validation_failed");
    const unknown = await expectEnvelope(await api(`/api/projects/${p.id}/events?sinse=1&limit=2&x=y`), 400, "validation_failed");
    expect(unknown.details?.map((d) => d.field)).toEqual(["sinse", "x"]);
    const page = await (await api(`/api/projects/${p.id}/events?since=0&limit=3`)).json<{ events: { seq: number }[]; lastSeq: number }>();
    expect(page.events.map((e) => e.seq)).toEqual([1, 2, 3]);
    expect(page.lastSeq).toBeGreaterThanOrEqual(3);
  });

  it("cancels: every unfinished task is cancelled and the cancel reaches D1", async () => {
    const p = await createProject();
    const res = await api(`/api/projects/${p.id}`, { method: "DELETE" });
    expect(res.status).toBe(200);
    const body = await res.json<{ state: string; tasks: { state: string }[] }>();
    expect(body.state).toBe("cancelled");
    expect(body.tasks.every((t) => ["cancelled", "succeeded"].includes(t.state))).toBe(true);
    // D1 is brought in step by the DO's outbox on its next alarm.
    await expect
      .poll(async () => (await env.DB.prepare("SELECT state FROM projects WHERE id = ?").bind(p.id).first<{ state: string }>())?.state, {
        timeout: 10_000,
      })
      .toBe("cancelled");
    // Cancelling again is harmless.
    expect((await api(`/api/projects/${p.id}`, { method: "DELETE" })).status).toBe(200);
  });

  it("health reports D1 and modes", async () => {
    const res = await api("/health");
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ ok: true, d1: true, authMode: "local" });
  });
});

describe("approval gates and interventions over HTTP", () => {
  it("validates and routes approve / intervene", async () => {
    const p = await createProject("a booking app for dog groomers", { approvals: ["ceo"] });
    expect(p.tasks.find((t) => t.id === "ceo")!.approval).toBe("required");
    await expectEnvelope(await postJson(`/api/projects/${p.id}/tasks/ceo/intervene`, { feedback: "x" }), 400, "validation_failed");
    await expectEnvelope(
      await postJson(`/api/projects/${p.id}/tasks/ceo/intervene`, { feedback: "shorter PRD", extra: 1 }),
      400,
      "validation_failed",
    );
    await expectEnvelope(await postJson(`/api/projects/${p.id}/tasks/Robert'); DROP TABLE/approve`, {}), 400, "validation_failed");
    await expectEnvelope(await postJson(`/api/projects/${p.id}/tasks/cto/approve`, {}), 409, "conflict");
    await expectEnvelope(await postJson(`/api/projects/${p.id}/tasks/nope/approve`, {}), 404, "not_found");
    // The CEO runs in-process (inline executor) and then waits for approval; nothing after it runs.
    await expect
      .poll(
        async () =>
          (await (await api(`/api/projects/${p.id}`)).json<{ tasks: { id: string; approval: string }[] }>()).tasks.find(
            (t) => t.id === "ceo",
          )!.approval,
        { timeout: 20_000 },
      )
      .toBe("pending");
    const waiting = await (await api(`/api/projects/${p.id}`)).json<{ tasks: { id: string; state: string }[] }>();
    expect(waiting.tasks.find((t) => t.id === "cto")!.state).toBe("pending");
    const approved = await postJson(`/api/projects/${p.id}/tasks/ceo/approve`, {});
    expect(approved.status).toBe(200);
    await expect
      .poll(async () => (await (await api(`/api/projects/${p.id}`)).json<{ state: string }>()).state, { timeout: 60_000 })
      .not.toBe("running");
    const redo = await postJson(`/api/projects/${p.id}/tasks/ceo/intervene`, { feedback: "focus on mobile groomers" });
    expect(redo.status).toBe(200);
    const body = await redo.json<{ state: string; tasks: { id: string; state: string; approval: string }[] }>();
    expect(body.state).toBe("running");
    expect(body.tasks.find((t) => t.id === "ceo")).toMatchObject({ state: "ready", approval: "required" });
    expect(body.tasks.filter((t) => t.id !== "ceo").every((t) => t.state === "pending")).toBe(true);
  }, 120_000);
});
