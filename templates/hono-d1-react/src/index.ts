import { Hono } from "hono";
import type { AppEnv, Env } from "./env";
import { items } from "./items";

export function createApp() {
  const app = new Hono<AppEnv>();
  app.get("/api/health", (c) => c.json({ ok: true }));
  app.route("/api/items", items);
  app.all("/api/*", (c) => c.json({ error: { code: "not_found", message: "no such route" } }, 404));
  app.onError((err, c) => {
    console.error(err);
    return c.json({ error: { code: "internal", message: "internal error" } }, 500);
  });
  // Requests that reach the Worker outside /api (e.g. in tests) get the UI from the static assets.
  app.all("*", (c) => c.env.ASSETS.fetch(c.req.raw));
  return app;
}

const app = createApp();

export default { fetch: app.fetch } satisfies ExportedHandler<Env>;
