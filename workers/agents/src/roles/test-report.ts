/** Turns a test runner's real output into counts and failures. Supports node:test (TAP and spec) and Python unittest. */
export interface TestFailure {
  name: string;
  message: string;
}
export interface TestCounts {
  total: number;
  passed: number;
  failed: number;
  /** Which summary format the counts came from; "none" = the output had no recognisable summary. */
  format: "tap" | "spec" | "unittest" | "none";
  failures: TestFailure[];
}

const MAX_FAILURES = 25;
const MAX_MESSAGE = 1500;

function num(re: RegExp, text: string): number | null {
  const m = re.exec(text);
  return m?.[1] === undefined ? null : Number(m[1]);
}

/** TAP `not ok` lines plus the YAML `error:` block under each. */
function tapFailures(lines: string[]): TestFailure[] {
  const out: TestFailure[] = [];
  for (let i = 0; i < lines.length && out.length < MAX_FAILURES; i++) {
    const m = /^(\s*)not ok \d+ - (.*?)(\s+#\s*(TODO|SKIP).*)?$/.exec(lines[i] ?? "");
    if (!m || m[3]) continue;
    const indent = (m[1] ?? "").length;
    const msg: string[] = [];
    for (let j = i + 1; j < lines.length; j++) {
      const l = lines[j] ?? "";
      const lIndent = l.length - l.trimStart().length;
      if (l.trim() === "..." || (l.trim() !== "" && lIndent <= indent)) break;
      const errStart = /^\s*error:\s*(\|-?|>-?)?\s*(.*)$/.exec(l);
      if (errStart) {
        if (errStart[2]) msg.push(errStart[2].replace(/^'|'$/g, ""));
        for (let k = j + 1; k < lines.length; k++) {
          const e = lines[k] ?? "";
          const eIndent = e.length - e.trimStart().length;
          if (e.trim() !== "" && eIndent <= lIndent) break;
          msg.push(e.trim());
        }
        break;
      }
    }
    out.push({ name: m[2] ?? "", message: msg.join("\n").trim().slice(0, MAX_MESSAGE) });
  }
  return out;
}

function specFailures(lines: string[]): TestFailure[] {
  const out: TestFailure[] = [];
  const seen = new Set<string>();
  for (const l of lines) {
    const m = /^\s*✖ (.*?)(?: \([\d.]+m?s\))?$/.exec(l);
    if (!m?.[1] || m[1] === "failing tests:" || seen.has(m[1])) continue;
    seen.add(m[1]);
    out.push({ name: m[1], message: "" });
    if (out.length >= MAX_FAILURES) break;
  }
  return out;
}

function unittestFailures(text: string): TestFailure[] {
  const out: TestFailure[] = [];
  const re = /^(FAIL|ERROR): (\S+) \(([^)]*)\)\n-+\n([\s\S]*?)(?=\n={5,}|\n-{5,}\nRan )/gm;
  for (let m = re.exec(text); m && out.length < MAX_FAILURES; m = re.exec(text)) {
    out.push({ name: `${m[3] ?? ""}.${m[2] ?? ""}`, message: (m[4] ?? "").trim().slice(0, MAX_MESSAGE) });
  }
  return out;
}

export function parseTestOutput(stdout: string, stderr: string): TestCounts {
  const text = `${stdout}\n${stderr}`;
  const lines = text.split(/\r?\n/);

  const tapTotal = num(/^# tests (\d+)$/m, text);
  if (tapTotal !== null) {
    const failed = (num(/^# fail (\d+)$/m, text) ?? 0) + (num(/^# cancelled (\d+)$/m, text) ?? 0);
    return { total: tapTotal, passed: num(/^# pass (\d+)$/m, text) ?? 0, failed, format: "tap", failures: tapFailures(lines) };
  }
  const specTotal = num(/^ℹ tests (\d+)$/m, text);
  if (specTotal !== null) {
    const failed = (num(/^ℹ fail (\d+)$/m, text) ?? 0) + (num(/^ℹ cancelled (\d+)$/m, text) ?? 0);
    return { total: specTotal, passed: num(/^ℹ pass (\d+)$/m, text) ?? 0, failed, format: "spec", failures: specFailures(lines) };
  }
  const ran = num(/^Ran (\d+) tests? in /m, text);
  if (ran !== null) {
    const failedLine = /^FAILED \(([^)]*)\)$/m.exec(text)?.[1] ?? "";
    const failed = [...failedLine.matchAll(/(?:failures|errors)=(\d+)/g)].reduce((s, m) => s + Number(m[1]), 0);
    return { total: ran, passed: ran - failed, failed, format: "unittest", failures: unittestFailures(text) };
  }
  return { total: 0, passed: 0, failed: 0, format: "none", failures: [] };
}
