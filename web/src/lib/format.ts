/** Money with enough precision for sub-cent LLM calls. */
export function usd(n: number): string {
  if (n === 0) return "$0.00";
  if (Math.abs(n) < 0.01) return `$${n.toFixed(4)}`;
  return `$${n.toFixed(2)}`;
}

export function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

export function tokens(n: number): string {
  return n >= 10_000 ? `${(n / 1000).toFixed(1)}k` : String(n);
}

export function when(ms: number): string {
  return new Date(ms).toLocaleString();
}

export function duration(fromMs: number | null, toMs: number | null): string {
  if (fromMs === null) return "—";
  return elapsed((toMs ?? Date.now()) - fromMs);
}

/** A span of milliseconds as seconds, or minutes and seconds past a minute. */
export function elapsed(ms: number): string {
  const s = Math.max(0, ms / 1000);
  return s < 60 ? `${s.toFixed(1)} s` : `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
}
