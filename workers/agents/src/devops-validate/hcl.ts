/**
 * A real (small) HCL2 native-syntax tokenizer and parser: blocks with labels, attributes, and the expression
 * subset Terraform configs use (literals, templates with ${…}, heredocs, references, index/attribute access,
 * function calls, tuples, objects, unary/binary operators and the conditional). Errors carry line:column.
 */
export type HclExpr =
  | { kind: "literal"; value: string | number | boolean | null }
  | { kind: "template"; raw: string }
  | { kind: "ref"; name: string; path: (string | HclExpr)[] }
  | { kind: "call"; name: string; args: HclExpr[] }
  | { kind: "tuple"; items: HclExpr[] }
  | { kind: "object"; items: { key: string; value: HclExpr }[] }
  | { kind: "op"; op: string; args: HclExpr[] };
export interface HclBlock {
  type: string;
  labels: string[];
  body: HclBody;
  line: number;
}
export interface HclBody {
  attributes: Record<string, HclExpr>;
  blocks: HclBlock[];
}

export class HclError extends Error {
  constructor(message: string, readonly line: number, readonly column: number) {
    super(`${line}:${column}: ${message}`);
    this.name = "HclError";
  }
}

type TokKind = "ident" | "number" | "string" | "heredoc" | "punct" | "nl" | "eof";
interface Token {
  kind: TokKind;
  text: string;
  line: number;
  col: number;
}

const PUNCT = ["==", "!=", "<=", ">=", "&&", "||", "=>", "...", "{", "}", "[", "]", "(", ")", "=", ",", ".", ":", "?", "!", "+", "-", "*", "/", "%", "<", ">"];

export function tokenize(src: string): Token[] {
  const toks: Token[] = [];
  let i = 0;
  let line = 1;
  let lineStart = 0;
  const err = (m: string): never => {
    throw new HclError(m, line, i - lineStart + 1);
  };
  const push = (kind: TokKind, text: string, startLine: number, startCol: number) => {
    toks.push({ kind, text, line: startLine, col: startCol });
  };
  while (i < src.length) {
    const c = src[i] ?? "";
    const col = i - lineStart + 1;
    if (c === "\n") {
      push("nl", "\n", line, col);
      i++;
      line++;
      lineStart = i;
    } else if (c === " " || c === "\t" || c === "\r") i++;
    else if (c === "#" || (c === "/" && src[i + 1] === "/")) {
      while (i < src.length && src[i] !== "\n") i++;
    } else if (c === "/" && src[i + 1] === "*") {
      const end = src.indexOf("*/", i + 2);
      if (end < 0) err("unterminated /* comment");
      for (let k = i; k < end; k++) if (src[k] === "\n") {
        line++;
        lineStart = k + 1;
      }
      i = end + 2;
    } else if (c === '"') {
      const startLine = line;
      let j = i + 1;
      let depth = 0;
      for (;;) {
        const d = src[j];
        if (d === undefined || (d === "\n" && depth === 0)) err("unterminated string");
        if (d === "\\") j += 2;
        else if ((d === "$" || d === "%") && src[j + 1] === "{") {
          depth++;
          j += 2;
        } else if (d === "}" && depth > 0) {
          depth--;
          j++;
        } else if (d === '"' && depth === 0) break;
        else {
          if (d === "\n") {
            line++;
            lineStart = j + 1;
          }
          j++;
        }
      }
      push("string", src.slice(i + 1, j), startLine, col);
      i = j + 1;
    } else if (c === "<" && src[i + 1] === "<" && /[-A-Za-z_]/.test(src[i + 2] ?? "")) {
      const m = /^<<(-?)([A-Za-z_][A-Za-z0-9_]*)\r?\n/.exec(src.slice(i));
      if (!m) err("malformed heredoc opener");
      const marker = m![2] ?? "";
      const bodyStart = i + m![0].length;
      const startLine = line;
      const close = new RegExp(`^[ \\t]*${marker}[ \\t]*$`, "m");
      const rest = src.slice(bodyStart);
      const cm = close.exec(rest);
      if (!cm) err(`heredoc ${marker} is never closed`);
      const body = rest.slice(0, cm!.index);
      const end = bodyStart + cm!.index + cm![0].length;
      for (let k = i; k < end; k++) if (src[k] === "\n") {
        line++;
        lineStart = k + 1;
      }
      push("heredoc", body, startLine, col);
      i = end;
    } else if (/[0-9]/.test(c)) {
      const m = /^[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(src.slice(i));
      push("number", m![0], line, col);
      i += m![0].length;
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_-]*/.exec(src.slice(i));
      push("ident", m![0], line, col);
      i += m![0].length;
    } else {
      const p = PUNCT.find((x) => src.startsWith(x, i));
      if (!p) err(`unexpected character '${c}'`);
      push("punct", p!, line, col);
      i += p!.length;
    }
  }
  toks.push({ kind: "eof", text: "", line, col: i - lineStart + 1 });
  return toks;
}

const BINARY: string[][] = [["||"], ["&&"], ["==", "!="], ["<", ">", "<=", ">="], ["+", "-"], ["*", "/", "%"]];

class Parser {
  private p = 0;
  constructor(private readonly toks: Token[]) {}
  private peek(): Token {
    return this.toks[this.p] ?? this.toks[this.toks.length - 1]!;
  }
  private next(): Token {
    const t = this.peek();
    this.p++;
    return t;
  }
  private err(m: string, t = this.peek()): never {
    throw new HclError(`${m} (found ${t.kind === "eof" ? "end of file" : t.kind === "nl" ? "newline" : `'${t.text}'`})`, t.line, t.col);
  }
  private is(text: string): boolean {
    const t = this.peek();
    return t.kind === "punct" && t.text === text;
  }
  private expect(text: string): Token {
    if (!this.is(text)) this.err(`expected '${text}'`);
    return this.next();
  }
  private skipNl(): void {
    while (this.peek().kind === "nl") this.p++;
  }

  body(until: "eof" | "}"): HclBody {
    const body: HclBody = { attributes: {}, blocks: [] };
    for (;;) {
      this.skipNl();
      const t = this.peek();
      if (until === "eof" ? t.kind === "eof" : this.is("}")) return body;
      if (t.kind === "eof") this.err("missing '}'");
      if (t.kind !== "ident") this.err("expected an attribute name or block type");
      this.next();
      if (this.is("=")) {
        this.next();
        if (t.text in body.attributes) this.err(`duplicate attribute '${t.text}'`, t);
        body.attributes[t.text] = this.expr();
        this.endItem();
      } else {
        const labels: string[] = [];
        while (this.peek().kind === "string" || this.peek().kind === "ident") labels.push(this.next().text);
        this.expect("{");
        const inner = this.body("}");
        this.expect("}");
        body.blocks.push({ type: t.text, labels, body: inner, line: t.line });
        this.endItem();
      }
    }
  }
  private endItem(): void {
    const t = this.peek();
    if (t.kind === "nl" || t.kind === "eof" || this.is("}")) return;
    this.err("expected a newline after the item");
  }

  expr(): HclExpr {
    const cond = this.binary(0);
    if (!this.is("?")) return cond;
    this.next();
    const a = this.expr();
    this.expect(":");
    const b = this.expr();
    return { kind: "op", op: "?:", args: [cond, a, b] };
  }
  private binary(level: number): HclExpr {
    if (level >= BINARY.length) return this.unary();
    let left = this.binary(level + 1);
    while (this.peek().kind === "punct" && BINARY[level]!.includes(this.peek().text)) {
      const op = this.next().text;
      left = { kind: "op", op, args: [left, this.binary(level + 1)] };
    }
    return left;
  }
  private unary(): HclExpr {
    if (this.is("!") || this.is("-")) {
      const op = this.next().text;
      return { kind: "op", op, args: [this.unary()] };
    }
    return this.postfix(this.primary());
  }
  private postfix(e: HclExpr): HclExpr {
    for (;;) {
      if (this.is(".")) {
        this.next();
        const t = this.next();
        if (t.kind !== "ident" && t.kind !== "number" && !(t.kind === "punct" && t.text === "*")) this.err("expected an attribute name after '.'", t);
        e = e.kind === "ref" ? { ...e, path: [...e.path, t.text] } : { kind: "op", op: ".", args: [e, { kind: "literal", value: t.text }] };
      } else if (this.is("[")) {
        this.next();
        this.skipNl();
        const idx = this.is("*") ? (this.next(), { kind: "literal", value: "*" } as HclExpr) : this.expr();
        this.skipNl();
        this.expect("]");
        e = e.kind === "ref" ? { ...e, path: [...e.path, idx] } : { kind: "op", op: "[]", args: [e, idx] };
      } else return e;
    }
  }
  private primary(): HclExpr {
    const t = this.next();
    if (t.kind === "number") return { kind: "literal", value: Number(t.text) };
    if (t.kind === "string" || t.kind === "heredoc") return /[$%]\{/.test(t.text) ? { kind: "template", raw: t.text } : { kind: "literal", value: t.text };
    if (t.kind === "ident") {
      if (t.text === "true" || t.text === "false") return { kind: "literal", value: t.text === "true" };
      if (t.text === "null") return { kind: "literal", value: null };
      if (this.is("(")) {
        this.next();
        const args: HclExpr[] = [];
        this.skipNl();
        while (!this.is(")")) {
          args.push(this.expr());
          this.skipNl();
          if (this.is(",")) this.next();
          else if (this.is("...")) this.next();
          else if (!this.is(")")) this.err("expected ',' or ')' in call");
          this.skipNl();
        }
        this.next();
        return { kind: "call", name: t.text, args };
      }
      return { kind: "ref", name: t.text, path: [] };
    }
    if (t.kind === "punct" && t.text === "(") {
      this.skipNl();
      const e = this.expr();
      this.skipNl();
      this.expect(")");
      return e;
    }
    if (t.kind === "punct" && t.text === "[") {
      const items: HclExpr[] = [];
      this.skipNl();
      while (!this.is("]")) {
        items.push(this.expr());
        this.skipNl();
        if (this.is(",")) this.next();
        else if (!this.is("]")) this.err("expected ',' or ']' in list");
        this.skipNl();
      }
      this.next();
      return { kind: "tuple", items };
    }
    if (t.kind === "punct" && t.text === "{") {
      const items: { key: string; value: HclExpr }[] = [];
      this.skipNl();
      while (!this.is("}")) {
        const k = this.next();
        if (k.kind !== "ident" && k.kind !== "string") this.err("expected an object key", k);
        if (!this.is("=") && !this.is(":")) this.err("expected '=' or ':' after object key");
        this.next();
        items.push({ key: k.text, value: this.expr() });
        if (this.is(",")) this.next();
        else if (this.peek().kind !== "nl" && !this.is("}")) this.err("expected ',' or newline between object items");
        this.skipNl();
      }
      this.next();
      return { kind: "object", items };
    }
    return this.err("expected an expression", t);
  }
}

export function parseHcl(src: string): HclBody {
  return new Parser(tokenize(src)).body("eof");
}
