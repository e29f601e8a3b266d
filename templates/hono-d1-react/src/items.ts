import { Hono, type Context } from "hono";
import { z } from "zod";
import type { AppEnv } from "./env";

const NewItem = z.object({ name: z.string().trim().min(1).max(200) });
const ItemPatch = z.object({ name: z.string().trim().min(1).max(200).optional(), done: z.boolean().optional() });

const invalid = (c: Context<AppEnv>, error: z.ZodError) =>
  c.json({ error: { code: "validation_failed", message: error.issues[0]?.message ?? "invalid" } }, 400);

type ItemRow = { id: number; name: string; done: number; created_at: number };
const toItem = (r: ItemRow) => ({ id: r.id, name: r.name, done: r.done === 1, createdAt: r.created_at });

/** CRUD on the `items` table (migrations/0001_init.sql). */
export const items = new Hono<AppEnv>()
  .get("/", async (c) => {
    const { results } = await c.env.DB.prepare("SELECT * FROM items ORDER BY id").all<ItemRow>();
    return c.json({ items: results.map(toItem) });
  })
  .post("/", async (c) => {
    const parsed = NewItem.safeParse(await c.req.json().catch(() => null));
    if (!parsed.success) return invalid(c, parsed.error);
    const row = await c.env.DB.prepare("INSERT INTO items (name) VALUES (?) RETURNING *").bind(parsed.data.name).first<ItemRow>();
    return c.json({ item: row ? toItem(row) : null }, 201);
  })
  .get("/:id{[0-9]+}", async (c) => {
    const row = await c.env.DB.prepare("SELECT * FROM items WHERE id = ?").bind(Number(c.req.param("id"))).first<ItemRow>();
    return row ? c.json({ item: toItem(row) }) : c.json({ error: { code: "not_found", message: "no such item" } }, 404);
  })
  .patch("/:id{[0-9]+}", async (c) => {
    const parsed = ItemPatch.safeParse(await c.req.json().catch(() => null));
    if (!parsed.success) return invalid(c, parsed.error);
    const { name, done } = parsed.data;
    const row = await c.env.DB.prepare("UPDATE items SET name = coalesce(?, name), done = coalesce(?, done) WHERE id = ? RETURNING *")
      .bind(name ?? null, done === undefined ? null : Number(done), Number(c.req.param("id")))
      .first<ItemRow>();
    return row ? c.json({ item: toItem(row) }) : c.json({ error: { code: "not_found", message: "no such item" } }, 404);
  })
  .delete("/:id{[0-9]+}", async (c) => {
    const res = await c.env.DB.prepare("DELETE FROM items WHERE id = ?").bind(Number(c.req.param("id"))).run();
    return res.meta.changes > 0 ? c.body(null, 204) : c.json({ error: { code: "not_found", message: "no such item" } }, 404);
  });
