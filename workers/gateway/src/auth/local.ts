import { createMiddleware } from "hono/factory";
import type { AppEnv, AuthUser } from "../app-env";

export const LOCAL_USER: AuthUser = { id: "local", email: "local@proximus.localhost", name: "Local user" };

/** Local mode: no login; every request acts as the one local user. */
export const localAuth = createMiddleware<AppEnv>(async (c, next) => {
  c.set("user", LOCAL_USER);
  await next();
});
