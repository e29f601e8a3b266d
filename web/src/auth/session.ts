import { ApiError, errorFromResponse, type Transport } from "../api/http";
import { refreshLock, type LockManagerLike } from "./refreshLock";
import { RefreshResponse, SignedOutError, TokenManager } from "./tokenManager";

/** The browser's one SaaS session: the token manager wired to fetch, timers and navigator.locks. */

const signedOutListeners = new Set<() => void>();

/** POST /auth/refresh with the HttpOnly cookie; 401 (and 404: not a SaaS server) mean signed out. */
async function postRefresh(): Promise<RefreshResponse> {
  const res = await fetch("/auth/refresh", { method: "POST", credentials: "same-origin", headers: { accept: "application/json" } });
  if (res.status === 401 || res.status === 404) throw new SignedOutError();
  if (!res.ok) throw await errorFromResponse(res);
  const parsed = RefreshResponse.safeParse(await res.json().catch(() => null));
  if (!parsed.success) throw new ApiError(res.status, "bad_response", "Unexpected response from /auth/refresh");
  return parsed.data;
}

const locks = (globalThis.navigator as (Navigator & { locks?: LockManagerLike }) | undefined)?.locks;

export const tokens = new TokenManager({
  refresh: postRefresh,
  withLock: refreshLock(locks),
  fetch: (input, init) => fetch(input, init),
  now: () => Date.now(),
  setTimer: (fn, ms) => setTimeout(fn, ms),
  clearTimer: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
  onSignedOut: () => signedOutListeners.forEach((l) => l()),
});

let saas = false;

/** True once the app has found a SaaS server and signed in: API calls then carry the bearer token. */
export const isSaas = (): boolean => saas;
export function setSaas(on: boolean): void {
  saas = on;
}

export function onSignedOut(listener: () => void): () => void {
  signedOutListeners.add(listener);
  return () => signedOutListeners.delete(listener);
}

/** The `/api/*` transport for SaaS mode; a session that ended surfaces as an ordinary 401 ApiError. */
export const authorizedTransport: Transport = (path, init) =>
  tokens.fetch(path, init).catch((err: unknown) => {
    if (err instanceof SignedOutError) throw new ApiError(401, "unauthorized", "Your session has ended; sign in again.");
    throw err;
  });
