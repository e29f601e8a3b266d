/** QA succeeded as a task but reported failing tests: the Engineers get another round. */
export function isFailedQa(output: unknown): boolean {
  return typeof output === "object" && output !== null && (output as { passed?: unknown }).passed === false;
}

/** The files QA's failing output named (empty when it could not tell). */
export function qaImplicatedPaths(output: unknown): string[] {
  const paths = (output as { implicatedPaths?: unknown }).implicatedPaths;
  return Array.isArray(paths) ? paths.filter((p): p is string => typeof p === "string") : [];
}

/** What the Engineers are told to fix: QA's own ready-made feedback when it wrote one. */
export function qaFailureSummary(output: unknown): string {
  const o = output as { summary?: unknown; failures?: unknown; feedback?: unknown };
  if (typeof o.feedback === "string" && o.feedback.trim() !== "") return o.feedback.slice(0, 20_000);
  const text = typeof o.summary === "string" ? o.summary : "";
  const failures = Array.isArray(o.failures) ? JSON.stringify(o.failures).slice(0, 8_000) : "";
  return `${text}\n${failures}`.trim() || "QA reported failing tests";
}
