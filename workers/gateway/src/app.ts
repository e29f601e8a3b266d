import { Hono, type MiddlewareHandler } from "hono";
import { secureHeaders } from "hono/secure-headers";
import { db } from "./db/client";
import { tracing } from "./tracing";
import { onError, notFound } from "./errors";
import { apiAuth } from "./auth/api-auth";
import { API_CSP } from "./auth/csp";
import { corsForDashboards, isUpgrade, originCheck } from "./auth/origin";
import { wsTicketRoutes } from "./auth/ws-ticket";
import { rateLimit } from "./rate-limit/middleware";
import { health } from "./routes/health";
import { authRoutes } from "./routes/auth";
import { projectRoutes } from "./routes/projects";
import { artifactRoutes } from "./routes/artifacts";
import { versionRoutes } from "./routes/versions";
import { settingsRoutes } from "./routes/settings";
import type { AppEnv } from "./app-env";

export function createApp() {
  const app = new Hono<AppEnv>();
  app.onError(onError);
  app.notFound(notFound);
  // First, so the request's span also covers auth and rate-limit answers.
  app.use("*", tracing());
  const headers: MiddlewareHandler<AppEnv> = secureHeaders({ contentSecurityPolicy: API_CSP });
  // A 101 from the ProjectDO carries immutable headers; everything else gets the security headers.
  app.use("*", (c, next) => (isUpgrade(c) ? next() : headers(c, next)));
  app.use("*", async (c, next) => {
    c.set("db", db(c.env.DB));
    await next();
  });
  const cors = corsForDashboards();
  app.use("/api/*", cors);
  app.use("/auth/*", cors);
  app.use("*", originCheck);
  app.use("/api/*", rateLimit("ip"));
  app.use("/auth/*", rateLimit("auth-ip"));
  app.use("/.well-known/*", rateLimit("ip"));
  app.route("/", health);
  app.route("/", authRoutes);
  app.use("/api/*", apiAuth);
  app.use("/api/*", rateLimit("user"));
  app.get("/api/me", (c) => c.json({ mode: c.env.AUTH_MODE, user: c.var.user }));
  app.route("/api/projects", projectRoutes);
  app.route("/api/projects", wsTicketRoutes);
  app.route("/api/projects", artifactRoutes);
  app.route("/api/projects", versionRoutes);
  app.route("/api/settings", settingsRoutes);
  return app;
}
