/** JSONC (JSON with comments and trailing commas, as wrangler.jsonc allows) → value, via a string-aware scan and JSON.parse. */
export function parseJsonc(text: string): unknown {
  let out = "";
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text[i];
    if (c === '"') {
      const start = i++;
      while (i < n && text[i] !== '"') i += text[i] === "\\" ? 2 : 1;
      if (i >= n) throw new SyntaxError(`unterminated string starting at offset ${start}`);
      out += text.slice(start, ++i);
    } else if (c === "/" && text[i + 1] === "/") {
      while (i < n && text[i] !== "\n") i++;
    } else if (c === "/" && text[i + 1] === "*") {
      const end = text.indexOf("*/", i + 2);
      if (end < 0) throw new SyntaxError(`unterminated block comment at offset ${i}`);
      // Keep a space so `1/**/2` does not become `12`.
      out += " ";
      i = end + 2;
    } else {
      out += c;
      i++;
    }
  }
  // Trailing commas: safe to do on the comment-free text because strings are skipped the same way.
  let cleaned = "";
  for (let j = 0; j < out.length; j++) {
    const c = out[j];
    if (c === '"') {
      const start = j++;
      while (j < out.length && out[j] !== '"') j += out[j] === "\\" ? 2 : 1;
      cleaned += out.slice(start, j + 1);
      continue;
    }
    if (c === ",") {
      let k = j + 1;
      while (k < out.length && /\s/.test(out[k] ?? "")) k++;
      if (out[k] === "}" || out[k] === "]") continue;
    }
    cleaned += c;
  }
  return JSON.parse(cleaned) as unknown;
}
