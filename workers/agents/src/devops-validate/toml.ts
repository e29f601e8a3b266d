/**
 * A TOML parser for the subset wrangler.toml uses: tables, arrays of tables, dotted/quoted keys,
 * basic and literal strings (incl. multi-line basic), integers, floats, booleans, local dates (kept as strings),
 * arrays and inline tables. Anything else is a syntax error rather than a silent guess.
 */
type Table = Record<string, unknown>;

export class TomlError extends Error {
  constructor(message: string, readonly line: number) {
    super(`line ${line}: ${message}`);
    this.name = "TomlError";
  }
}

function isTable(v: unknown): v is Table {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

export function parseToml(text: string): Table {
  const root: Table = {};
  let current: Table = root;
  let i = 0;
  const defined = new Set<string>();

  const line = () => text.slice(0, i).split("\n").length;
  const fail = (m: string): never => {
    throw new TomlError(m, line());
  };
  const skipWs = () => {
    while (text[i] === " " || text[i] === "\t") i++;
  };
  const skipWsNlComments = () => {
    for (;;) {
      while (i < text.length && /[ \t\r\n]/.test(text[i] ?? "")) i++;
      if (text[i] === "#") while (i < text.length && text[i] !== "\n") i++;
      else return;
    }
  };
  const endOfLine = () => {
    skipWs();
    if (text[i] === "#") while (i < text.length && text[i] !== "\n") i++;
    if (text[i] === "\r") i++;
    if (i < text.length && text[i] !== "\n") fail(`unexpected '${text[i]}' after value`);
    i++;
  };

  const basicString = (): string => {
    const multi = text.startsWith('"""', i);
    i += multi ? 3 : 1;
    if (multi && text[i] === "\n") i++;
    let s = "";
    for (;;) {
      if (i >= text.length) fail("unterminated string");
      const c = text[i] ?? "";
      if (multi ? text.startsWith('"""', i) : c === '"') {
        i += multi ? 3 : 1;
        return s;
      }
      if (!multi && c === "\n") fail("newline in single-line string");
      if (c === "\\") {
        const e = text[i + 1] ?? "";
        const map: Record<string, string> = { n: "\n", t: "\t", r: "\r", '"': '"', "\\": "\\", b: "\b", f: "\f" };
        if (e in map) {
          s += map[e];
          i += 2;
        } else if (e === "u" || e === "U") {
          const len = e === "u" ? 4 : 8;
          const hex = text.slice(i + 2, i + 2 + len);
          if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== len) fail("bad unicode escape");
          s += String.fromCodePoint(parseInt(hex, 16));
          i += 2 + len;
        } else fail(`bad escape \\${e}`);
        continue;
      }
      s += c;
      i++;
    }
  };
  const literalString = (): string => {
    const end = text.indexOf("'", i + 1);
    const s = text.slice(i + 1, end);
    if (end < 0 || s.includes("\n")) fail("unterminated literal string");
    i = end + 1;
    return s;
  };
  const key = (): string[] => {
    const parts: string[] = [];
    for (;;) {
      skipWs();
      if (text[i] === '"') parts.push(basicString());
      else if (text[i] === "'") parts.push(literalString());
      else {
        const m = /^[A-Za-z0-9_-]+/.exec(text.slice(i));
        if (!m) fail("expected a key");
        parts.push(m![0]);
        i += m![0].length;
      }
      skipWs();
      if (text[i] !== ".") return parts;
      i++;
    }
  };
  const value = (): unknown => {
    const c = text[i];
    if (c === '"') return basicString();
    if (c === "'") return literalString();
    if (c === "[") {
      i++;
      const arr: unknown[] = [];
      for (;;) {
        skipWsNlComments();
        if (text[i] === "]") {
          i++;
          return arr;
        }
        arr.push(value());
        skipWsNlComments();
        if (text[i] === ",") i++;
        else if (text[i] !== "]") fail("expected ',' or ']' in array");
      }
    }
    if (c === "{") {
      i++;
      const t: Table = {};
      skipWs();
      if (text[i] === "}") {
        i++;
        return t;
      }
      for (;;) {
        const k = key();
        if (text[i] !== "=") fail("expected '=' in inline table");
        i++;
        skipWs();
        assign(t, k, value());
        skipWs();
        if (text[i] === "}") {
          i++;
          return t;
        }
        if (text[i] !== ",") fail("expected ',' or '}' in inline table");
        i++;
      }
    }
    const rest = text.slice(i);
    const date = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})?)?/.exec(rest);
    if (date) {
      i += date[0].length;
      return date[0];
    }
    const bool = /^(true|false)(?![A-Za-z0-9_])/.exec(rest);
    if (bool) {
      i += bool[0].length;
      return bool[1] === "true";
    }
    const numm = /^[+-]?(?:0x[0-9a-fA-F_]+|\d[\d_]*(?:\.\d[\d_]*)?(?:[eE][+-]?\d+)?|inf|nan)/.exec(rest);
    if (numm) {
      i += numm[0].length;
      return Number(numm[0].replace(/_/g, ""));
    }
    return fail("expected a value");
  };
  function assign(t: Table, path: string[], v: unknown) {
    let target = t;
    for (const p of path.slice(0, -1)) {
      const next = target[p] ?? (target[p] = {});
      if (!isTable(next)) fail(`key ${p} is not a table`);
      target = next as Table;
    }
    const last = path[path.length - 1] ?? "";
    if (last in target) fail(`duplicate key ${path.join(".")}`);
    target[last] = v;
  }
  const walk = (path: string[], forArray: boolean): Table => {
    let t = root;
    path.forEach((p, idx) => {
      const isLast = idx === path.length - 1;
      let next = t[p];
      if (isLast && forArray) {
        if (next === undefined) next = t[p] = [];
        if (!Array.isArray(next)) fail(`${p} is not an array of tables`);
        const fresh: Table = {};
        (next as unknown[]).push(fresh);
        t = fresh;
        return;
      }
      if (next === undefined) next = t[p] = {};
      if (Array.isArray(next)) next = next[next.length - 1];
      if (!isTable(next)) fail(`${p} is not a table`);
      t = next as Table;
    });
    return t;
  };

  for (;;) {
    skipWsNlComments();
    if (i >= text.length) return root;
    if (text[i] === "[") {
      const arr = text[i + 1] === "[";
      i += arr ? 2 : 1;
      const path = key();
      if (!text.startsWith(arr ? "]]" : "]", i)) fail("unterminated table header");
      i += arr ? 2 : 1;
      const id = path.join(".");
      if (!arr) {
        if (defined.has(id)) fail(`table [${id}] defined twice`);
        defined.add(id);
      }
      current = walk(path, arr);
      endOfLine();
      continue;
    }
    const k = key();
    if (text[i] !== "=") fail(`expected '=' after key ${k.join(".")}`);
    i++;
    skipWs();
    assign(current, k, value());
    endOfLine();
  }
}
