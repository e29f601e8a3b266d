import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { db } from "../db/client";
import { ensureUser } from "../db/users";
import { LOCAL_USER } from "../auth/local";
import { claimIdempotencyKey } from "../auth/idempotency";
import { projectStub } from "../project-stub";
import { createProjectSaga, SagaCrash, type CreateInput } from "./create-project";
import { reconcileUnconfirmed, UNCONFIRMED_GRACE_MS } from "./reconcile";
import { settle, type HeldProject, HoldDispatcher, ok } from "../../test/hold-dispatcher";
import type { ProjectDO } from "../project-do";

const d = () => db(env.DB);
const row = (id: string) =>
  env.DB.prepare("SELECT id, state, confirmed_at FROM projects WHERE id = ?")
    .bind(id)
    .first<{ id: string; state: string; confirmed_at: number | null }>();
const doHolds = async (id: string) =>
  projectStub(env, id)
    .detail()
    .then(
      () => true,
      () => false,
    );

function input(extra: Partial<CreateInput> = {}): CreateInput {
  return { id: crypto.randomUUID(), userId: LOCAL_USER.id, body: { idea: "a saga test project" }, llm: {}, ...extra };
}

describe("create-project saga", () => {
  it("a failure at D1 insert leaves nothing behind", async () => {
    await ensureUser(d(), LOCAL_USER);
    const i = input();
    await expect(createProjectSaga(d(), env, i, { fail: "d1-insert" })).rejects.toThrow(/injected/);
    expect(await row(i.id)).toBeNull();
    expect(await doHolds(i.id)).toBe(false);
  });

  it("a failure at DO init removes the row and frees the idempotency key", async () => {
    await ensureUser(d(), LOCAL_USER);
    const i = input({ idempotencyKey: "saga-key-1" });
    await claimIdempotencyKey(d(), LOCAL_USER.id, "saga-key-1", "print", i.id);
    await expect(createProjectSaga(d(), env, i, { fail: "do-init" })).rejects.toThrow(/injected/);
    expect(await row(i.id)).toBeNull();
    expect(await doHolds(i.id)).toBe(false);
    const key = await env.DB.prepare("SELECT 1 FROM idempotency_keys WHERE key = 'saga-key-1'").first();
    expect(key).toBeNull();
  });

  it("a crash after the D1 insert is settled by the reconciler: row removed, DO never holds it", async () => {
    await ensureUser(d(), LOCAL_USER);
    const i = input();
    await expect(createProjectSaga(d(), env, i, { crash: "do-init" })).rejects.toBeInstanceOf(SagaCrash);
    expect(await row(i.id)).toMatchObject({ confirmed_at: null });
    // Within the grace period nothing happens: the request may still be running.
    expect((await reconcileUnconfirmed(d(), env)).removed).not.toContain(i.id);
    const later = Date.now() + UNCONFIRMED_GRACE_MS + 1_000;
    expect((await reconcileUnconfirmed(d(), env, later)).removed).toContain(i.id);
    expect(await row(i.id)).toBeNull();
    expect(await doHolds(i.id)).toBe(false);
  });

  it("a crash after DO init is confirmed by the DO's outbox (and by the reconciler)", async () => {
    await ensureUser(d(), LOCAL_USER);
    const i = input();
    await expect(createProjectSaga(d(), env, i, { crash: "confirm" })).rejects.toBeInstanceOf(SagaCrash);
    expect(await doHolds(i.id)).toBe(true);
    const later = Date.now() + UNCONFIRMED_GRACE_MS + 1_000;
    const settled = await reconcileUnconfirmed(d(), env, later);
    expect(settled.removed).not.toContain(i.id);
    await expect.poll(async () => (await row(i.id))?.confirmed_at ?? null, { timeout: 10_000 }).not.toBeNull();
  });

  it("a normal create is confirmed at once", async () => {
    await ensureUser(d(), LOCAL_USER);
    const i = input();
    await createProjectSaga(d(), env, i);
    expect((await row(i.id))?.confirmed_at).not.toBeNull();
  });
});

describe("cancel saga", () => {
  async function held(id: string, syncFailures: number): Promise<HeldProject> {
    await ensureUser(d(), LOCAL_USER);
    const raw = env.PROJECT.getByName(id);
    const hold = new HoldDispatcher();
    let failing = syncFailures;
    await runInDurableObject(raw, (obj: ProjectDO) => {
      const real = obj["deps"]().syncToD1;
      obj.overrideDepsForTest({
        dispatcher: hold,
        syncToD1: async (entry) => {
          if (failing > 0) {
            failing--;
            throw new Error("D1 unavailable (injected)");
          }
          await real(entry);
        },
      });
    });
    // Created after the override, so no task leaves before the test holds them.
    await createProjectSaga(d(), env, input({ id }));
    return { stub: projectStub(env, id), raw, hold };
  }

  it("D1 failing during cancel: the outbox retries until D1 agrees with the DO", async () => {
    const id = crypto.randomUUID();
    const p = await held(id, 3);
    await p.stub.cancel();
    expect((await p.stub.detail()).state).toBe("cancelled");
    // Each alarm retries the failed deliveries (backoff shortened for the test).
    for (let i = 0; i < 10 && (await row(id))?.state !== "cancelled"; i++) {
      await runInDurableObject(p.raw, (_o, state) => {
        state.storage.sql.exec("UPDATE outbox SET next_at = 0");
      });
      await settle(p);
    }
    expect((await row(id))?.state).toBe("cancelled");
    // The other failed deliveries catch up too (each alarm delivers what is due, in parallel).
    const left = async () => {
      await runInDurableObject(p.raw, (_o, state) => {
        state.storage.sql.exec("UPDATE outbox SET next_at = 0");
      });
      await settle(p);
      return runInDurableObject(p.raw, (_o, state) => state.storage.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM outbox").one().n);
    };
    await expect.poll(left, { timeout: 10_000, interval: 100 }).toBe(0);
  });

  it("files of attempts that were never applied are removed from R2; applied ones stay", async () => {
    const id = crypto.randomUUID();
    const p = await held(id, 0);
    await settle(p);
    const ceo = p.hold.last("ceo");
    const keptKey = `projects/${id}/ceo/1/docs/PRD.md`;
    await env.ARTIFACTS.put(keptKey, "# PRD");
    await p.stub.applyResult(ok(ceo, {}, { artifacts: [{ path: "docs/PRD.md", key: keptKey, bytes: 5, sha256: "a".repeat(64) }] }));
    await settle(p);
    // CTO's attempt wrote a file, then the project was cancelled before its result arrived.
    const orphanKey = `projects/${id}/cto/1/docs/ARCHITECTURE.md`;
    await env.ARTIFACTS.put(orphanKey, "# late");
    await p.stub.cancel();
    const late = await p.stub.applyResult(
      ok(p.hold.last("cto"), {}, { artifacts: [{ path: "docs/ARCHITECTURE.md", key: orphanKey, bytes: 6, sha256: "b".repeat(64) }] }),
    );
    expect(late.applied).toBe(false);
    await runInDurableObject(p.raw, (_o, state) => {
      state.storage.sql.exec("UPDATE outbox SET next_at = 0");
    });
    await settle(p);
    await expect.poll(async () => (await env.ARTIFACTS.head(orphanKey)) === null, { timeout: 10_000 }).toBe(true);
    expect(await env.ARTIFACTS.head(keptKey)).not.toBeNull();
  });
});
