import { Hono } from "hono";
import { secureHeaders } from "hono/secure-headers";
import { db } from "./db/client";
import { onError, notFound } from "./errors";
import { localAuth } from "./auth/local";
import { health } from "./routes/health";
import { projectRoutes } from "./routes/projects";
import { artifactRoutes } from "./routes/artifacts";
import { settingsRoutes } from "./routes/settings";
import type { AppEnv } from "./app-env";

export function createApp() {
  const app = new Hono<AppEnv>();
  app.onError(onError);
  app.notFound(notFound);
  const headers = secureHeaders();
  // A 101 from the ProjectDO carries immutable headers; everything else gets the security headers.
  app.use("*", (c, next) => (c.req.header("upgrade")?.toLowerCase() === "websocket" ? next() : headers(c, next)));
  app.use("*", async (c, next) => {
    c.set("db", db(c.env.DB));
    await next();
  });
  app.route("/", health);
  app.use("/api/*", localAuth);
  app.get("/api/me", (c) => c.json({ mode: c.env.AUTH_MODE, user: c.var.user }));
  app.route("/api/projects", projectRoutes);
  app.route("/api/projects", artifactRoutes);
  app.route("/api/settings", settingsRoutes);
  return app;
}
