/** Reconnect delay: exponential from `baseMs`, capped, with "full jitter" so many tabs do not reconnect in lockstep. */
export function backoffDelay(attempt: number, random: () => number, baseMs = 500, capMs = 15_000): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.max(0, attempt));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
