import { Hono } from "hono";
import type { AppEnv } from "../app-env";

export const health = new Hono<AppEnv>().get("/health", async (c) => {
  const d1 = await c.env.DB.prepare("SELECT 1 AS ok").first<{ ok: number }>().then(
    (r) => r?.ok === 1,
    () => false,
  );
  return c.json({ ok: d1, d1, authMode: c.env.AUTH_MODE, busMode: c.env.BUS_MODE, time: Date.now() }, d1 ? 200 : 503);
});
