/** The subset of the Web Locks API used here (navigator.locks). */
export interface LockManagerLike {
  request<T>(name: string, callback: () => Promise<T>): Promise<T>;
}

export const REFRESH_LOCK = "proximus-refresh";

/**
 * Serializes refreshes across every tab of this origin with the Web Locks API. Without it (old
 * browsers, non-secure contexts) refreshes are only serialized within this tab; two tabs may then
 * race, and the loser's reused refresh token ends the session, so the user signs in again.
 */
export function refreshLock(locks: LockManagerLike | undefined): <T>(fn: () => Promise<T>) => Promise<T> {
  if (locks) return (fn) => locks.request(REFRESH_LOCK, fn);
  let tail: Promise<unknown> = Promise.resolve();
  return <T>(fn: () => Promise<T>): Promise<T> => {
    const run = tail.then(fn, fn);
    tail = run.catch(() => undefined);
    return run;
  };
}
