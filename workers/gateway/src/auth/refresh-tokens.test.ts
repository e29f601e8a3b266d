import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { AppError } from "@proximus/contracts";
import { db as makeDb } from "../db/client";
import { ensureUser } from "../db/users";
import { issueRefreshToken, revokeByToken, rotateRefreshToken } from "./refresh-tokens";

const TTL = 3_600;

async function freshUser() {
  const db = makeDb(env.DB);
  const id = `rt-${crypto.randomUUID()}`;
  await ensureUser(db, { id, email: `${id}@example.test`, name: id });
  return { db, id };
}

async function rejects(p: Promise<unknown>) {
  await expect(p).rejects.toSatisfy((e) => e instanceof AppError && e.code === "unauthorized");
}

const revokedCount = async (family: string) =>
  (await env.DB.prepare("SELECT COUNT(*) AS n FROM refresh_tokens WHERE family = ? AND revoked_at IS NOT NULL")
    .bind(family)
    .first<{ n: number }>())!.n;

describe("rotating refresh tokens", () => {
  it("rotate within the family, once per token", async () => {
    const { db, id } = await freshUser();
    const t1 = await issueRefreshToken(db, id, TTL);
    const t2 = await rotateRefreshToken(db, t1.token, TTL);
    expect(t2.userId).toBe(id);
    expect(t2.family).toBe(t1.family);
    expect(t2.token).not.toBe(t1.token);
    const t3 = await rotateRefreshToken(db, t2.token, TTL);
    expect(t3.family).toBe(t1.family);
    expect(await revokedCount(t1.family)).toBe(0);
  });

  it("revoke the whole family when a rotated token comes back", async () => {
    const { db, id } = await freshUser();
    const t1 = await issueRefreshToken(db, id, TTL);
    const t2 = await rotateRefreshToken(db, t1.token, TTL);
    const other = await issueRefreshToken(db, id, TTL); // another device: another family
    await rejects(rotateRefreshToken(db, t1.token, TTL));
    expect(await revokedCount(t1.family)).toBe(2);
    await rejects(rotateRefreshToken(db, t2.token, TTL));
    expect((await rotateRefreshToken(db, other.token, TTL)).family).toBe(other.family);
  });

  it("let only one of two concurrent uses of a token win", async () => {
    const { db, id } = await freshUser();
    const t1 = await issueRefreshToken(db, id, TTL);
    const results = await Promise.allSettled([rotateRefreshToken(db, t1.token, TTL), rotateRefreshToken(db, t1.token, TTL)]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
  });

  it("refuse expired, unknown and logged-out tokens", async () => {
    const { db, id } = await freshUser();
    const old = await issueRefreshToken(db, id, TTL, crypto.randomUUID(), Date.now() - 2 * TTL * 1000);
    await rejects(rotateRefreshToken(db, old.token, TTL));
    await rejects(rotateRefreshToken(db, "never-issued-token", TTL));
    const t = await issueRefreshToken(db, id, TTL);
    await revokeByToken(db, t.token);
    await rejects(rotateRefreshToken(db, t.token, TTL));
  });
});
