/**
 * Bracket balance for JS/TS, aware of strings, template literals (with `${}` nesting), comments
 * and regex literals. A real parser (oxc) runs in sandbox-host before any execution; this cheap
 * Worker-safe check only catches what a truncated reply looks like: something left open.
 * JSX/TSX are not checked here (apostrophes in JSX text are not strings).
 */
const OPEN: Record<string, string> = { "(": ")", "[": "]", "{": "}" };
const CLOSE: Record<string, string> = { ")": "(", "]": "[", "}": "{" };
/** After these a `/` starts a regex literal, not a division. */
const REGEX_BEFORE = new Set(["(", ",", "=", ":", "[", "!", "&", "|", "?", "{", "}", ";", "+", "-", "*", "%", "<", ">", "~", "^", ""]);
const REGEX_KEYWORDS = /(?:^|[^\w$])(?:return|typeof|case|do|else|in|of|new|delete|void|throw|yield|await)$/;

function lineAt(src: string, i: number): number {
  let n = 1;
  for (let k = 0; k < i; k++) if (src.charCodeAt(k) === 10) n++;
  return n;
}

/** null when balanced, else what is wrong and where. */
export function checkBalance(src: string): string | null {
  // Stack entries: a bracket, or "`" for a template literal whose `${` we are inside of.
  const stack: { ch: string; at: number }[] = [];
  let lastSignificant = "";
  let i = 0;
  const n = src.length;
  while (i < n) {
    const c = src[i] as string;
    const next = src[i + 1];
    if (c === "/" && next === "/") {
      const end = src.indexOf("\n", i);
      i = end === -1 ? n : end;
      continue;
    }
    if (c === "/" && next === "*") {
      const end = src.indexOf("*/", i + 2);
      if (end === -1) return `unterminated /* comment starting on line ${lineAt(src, i)}`;
      i = end + 2;
      continue;
    }
    if (c === '"' || c === "'") {
      let j = i + 1;
      while (j < n && src[j] !== c && src[j] !== "\n") j += src[j] === "\\" ? 2 : 1;
      if (j >= n || src[j] === "\n") return `unterminated string starting on line ${lineAt(src, i)}`;
      i = j + 1;
      lastSignificant = "a";
      continue;
    }
    if (c === "`" || (c === "}" && stack.at(-1)?.ch === "${")) {
      if (c === "}") stack.pop();
      const start = i;
      let j = i + 1;
      let reopened = false;
      while (j < n) {
        if (src[j] === "\\") j += 2;
        else if (src[j] === "`") break;
        else if (src[j] === "$" && src[j + 1] === "{") {
          stack.push({ ch: "${", at: j });
          reopened = true;
          j += 2;
          break;
        } else j++;
      }
      if (!reopened && j >= n) return `unterminated template literal starting on line ${lineAt(src, start)}`;
      i = reopened ? j : j + 1;
      lastSignificant = reopened ? "{" : "a";
      continue;
    }
    if (c === "/") {
      const before = src.slice(Math.max(0, i - 12), i).trimEnd();
      if (REGEX_BEFORE.has(lastSignificant) || REGEX_KEYWORDS.test(before)) {
        let j = i + 1;
        let inClass = false;
        while (j < n && src[j] !== "\n") {
          if (src[j] === "\\") j += 2;
          else {
            if (src[j] === "[") inClass = true;
            else if (src[j] === "]") inClass = false;
            else if (src[j] === "/" && !inClass) break;
            j++;
          }
        }
        if (j >= n || src[j] === "\n") return `unterminated regular expression on line ${lineAt(src, i)}`;
        i = j + 1;
        lastSignificant = "a";
        continue;
      }
    }
    if (OPEN[c]) stack.push({ ch: c, at: i });
    else if (CLOSE[c]) {
      const top = stack.pop();
      if (!top || top.ch !== CLOSE[c]) {
        return top
          ? `"${c}" on line ${lineAt(src, i)} closes "${top.ch === "${" ? "${" : top.ch}" from line ${lineAt(src, top.at)}`
          : `unexpected "${c}" on line ${lineAt(src, i)}`;
      }
    }
    if (!/\s/.test(c)) lastSignificant = /[\w$)\]]/.test(c) ? "a" : c;
    i++;
  }
  const open = stack.at(-1);
  if (open) return `"${open.ch}" opened on line ${lineAt(src, open.at)} is never closed (${stack.length} unclosed)`;
  return null;
}
