import type { AuthUser } from "../app-env";

/** Local mode (AUTH_MODE=local): no login; every request acts as this one user (see api-auth.ts). */
export const LOCAL_USER: AuthUser = { id: "local", email: "local@proximus.localhost", name: "Local user" };
