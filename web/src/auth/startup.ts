import type { Me } from "../api/endpoints";
import { ApiError } from "../api/http";
import { SignedOutError } from "./tokenManager";

export type Startup = { kind: "ok"; me: Me } | { kind: "login" } | { kind: "error"; message: string };

export interface StartupDeps {
  me(): Promise<Me>;
  /** POST /auth/refresh through the token manager; SignedOutError when there is no session. */
  refresh(): Promise<unknown>;
  /** From now on every /api/* call carries the bearer token. */
  enableSaas(): void;
}

const messageOf = (err: unknown) => (err instanceof ApiError ? err.userMessage : "The server is not reachable.");

/**
 * Decides what the app shows first. `/api/me` answers a local server directly. A SaaS server
 * answers 401 (or a user-less SaaS identity) until there is a bearer token, so the refresh cookie
 * is exchanged for one; no cookie, or a refused one, means the login screen.
 */
export async function startSession(deps: StartupDeps): Promise<Startup> {
  try {
    const me = await deps.me();
    if (me.mode === "local") return { kind: "ok", me };
  } catch (err) {
    if (!(err instanceof ApiError && err.status === 401)) return { kind: "error", message: messageOf(err) };
  }
  try {
    await deps.refresh();
  } catch (err) {
    return err instanceof SignedOutError ? { kind: "login" } : { kind: "error", message: messageOf(err) };
  }
  deps.enableSaas();
  try {
    const me = await deps.me();
    return me.user ? { kind: "ok", me } : { kind: "login" };
  } catch (err) {
    return err instanceof ApiError && err.status === 401 ? { kind: "login" } : { kind: "error", message: messageOf(err) };
  }
}
