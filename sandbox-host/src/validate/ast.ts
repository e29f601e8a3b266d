import { createRequire } from "node:module";
import { parseSync } from "oxc-parser";
import { Language, Parser, type Node } from "web-tree-sitter";
import type { Diagnostic } from "@proximus/contracts/sandbox";
import { jsPolicy, pythonPolicy, type Finding } from "./policy";

const JS_EXT = /\.(m|c)?(j|t)sx?$/;
const PY_EXT = /\.py$/;

let python: Promise<Parser> | null = null;
function pythonParser(): Promise<Parser> {
  python ??= (async () => {
    await Parser.init();
    const wasm = createRequire(import.meta.url).resolve("tree-sitter-python/tree-sitter-python.wasm");
    const p = new Parser();
    p.setLanguage(await Language.load(wasm));
    return p;
  })();
  return python;
}

/** 1-based line and column (UTF-16 code units) of a string offset. */
export function position(source: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < source.length; i++) {
    if (source.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

function fromFindings(file: string, source: string, findings: Finding[]): Diagnostic[] {
  return findings.map((f) => ({
    file,
    ...position(source, f.offset),
    message: f.message,
    severity: "warning",
    source: "policy",
    rule: f.rule,
  }));
}

function checkJs(file: string, source: string): Diagnostic[] {
  const r = parseSync(file, source);
  const out: Diagnostic[] = r.errors.map((e) => ({
    file,
    ...position(source, e.labels[0]?.start ?? 0),
    message: e.message,
    severity: e.severity === "Warning" ? "warning" : "error",
    source: "syntax",
  }));
  return out.concat(fromFindings(file, source, jsPolicy(r.program)));
}

async function checkPython(file: string, source: string): Promise<Diagnostic[]> {
  const tree = (await pythonParser()).parse(source);
  if (!tree) return [{ file, line: 1, column: 1, message: "python parser failed", severity: "error", source: "syntax" }];
  const out: Diagnostic[] = [];
  const visit = (n: Node) => {
    if (out.length >= 50) return;
    if (n.type === "ERROR" || n.isMissing) {
      const { row, column } = n.startPosition;
      out.push({
        file,
        line: row + 1,
        column: column + 1,
        message: n.isMissing ? `missing ${n.type}` : `invalid syntax near '${n.text.slice(0, 40).split("\n")[0]}'`,
        severity: "error",
        source: "syntax",
      });
      if (n.type === "ERROR") return;
    }
    if (n.hasError) for (const c of n.children) if (c) visit(c);
  };
  visit(tree.rootNode);
  const findings = pythonPolicy(tree.rootNode);
  tree.delete();
  return out.concat(
    findings.map((f) => ({
      file,
      line: f.line,
      column: f.column,
      message: f.message,
      severity: "warning" as const,
      source: "policy" as const,
      rule: f.rule,
    })),
  );
}

/** Parses every source file; syntax errors block the run (unless asked otherwise), policy findings are informational. */
export async function analyze(files: { path: string; text: string | null }[]): Promise<Diagnostic[]> {
  const all: Diagnostic[] = [];
  for (const f of files) {
    if (f.text === null) continue;
    if (JS_EXT.test(f.path) && !f.path.endsWith(".d.ts")) all.push(...checkJs(f.path, f.text));
    else if (PY_EXT.test(f.path)) all.push(...(await checkPython(f.path, f.text)));
  }
  return all;
}
