import { describe, expect, it } from "vitest";
import { ConfigParseError } from "./parse-error";
import { parseToml } from "./toml";

/** Dates become strings, so a case reads like the TOML spec's own examples. */
const plain = (v: unknown): unknown => JSON.parse(JSON.stringify(v));

// Cases from the TOML spec (toml.io, v1.0.0 and the 1.1 additions smol-toml implements, as wrangler does).
const VALID: [string, string, unknown][] = [
  ["underscores in integers", "a = 1_000", { a: 1000 }],
  ["hex integer", "a = 0xDEADBEEF", { a: 3735928559 }],
  ["octal integer", "a = 0o755", { a: 493 }],
  ["binary integer", "a = 0b1101", { a: 13 }],
  ["exponent float", "a = 5e+22\nb = 1e3", { a: 5e22, b: 1000 }],
  ["multi-line basic string trims the first newline", 'a = """\nRoses\nViolets"""', { a: "Roses\nViolets" }],
  ["line-ending backslash", 'a = """\\\n   The quick \\\n   fox."""', { a: "The quick fox." }],
  ["multi-line literal string", "a = '''\nC:\\path\n'''", { a: "C:\\path\n" }],
  ["dotted keys", "a.b.c = 1\na.d = 2", { a: { b: { c: 1 }, d: 2 } }],
  ["quoted keys", "\"key with space\" = 1\n'literal' = 2", { "key with space": 1, literal: 2 }],
  ["offset date-time", "a = 1979-05-27T07:32:00Z", { a: "1979-05-27T07:32:00.000Z" }],
  ["local date", "a = 1979-05-27", { a: "1979-05-27" }],
  ["unicode escape", 'a = "caf\\u00E9"', { a: "café" }],
  ["mixed-type array", 'a = [1, "two", [3]]', { a: [1, "two", [3]] }],
  ["array with trailing comma over lines", "a = [\n  1,\n  2,\n]", { a: [1, 2] }],
  ["array of tables with a sub-table", "[[a]]\nx = 1\n[a.b]\ny = 2\n[[a]]\nx = 3", { a: [{ x: 1, b: { y: 2 } }, { x: 3 }] }],
  ["whitespace in table headers", "[ a . b ]\nc = 1", { a: { b: { c: 1 } } }],
  ["super-table defined after its sub-table", "[x.y]\na = 1\n[x]\nb = 2", { x: { y: { a: 1 }, b: 2 } }],
  ["nested inline tables", "a = { b = { c = 1 }, d = [] }", { a: { b: { c: 1 }, d: [] } }],
];

const INVALID: [string, string][] = [
  ["duplicate key", "a = 1\na = 2"],
  ["table defined twice", "[a]\nb = 1\n[a]\nc = 2"],
  ["leading zero", "a = 01"],
  ["double underscore", "a = 1__000"],
  ["float without leading digit", "a = .5"],
  ["extending an inline table", "a = { b = 1 }\n[a]\nc = 2"],
  ["newline inside a basic string", 'a = "one\ntwo"'],
  ["missing comma in array", "a = [1 2]"],
  ["bare key with a space", "a b = 1"],
  ["two values on one line", "a = 'x' 'y'"],
];

describe("parseToml (smol-toml)", () => {
  it.each(VALID)("accepts %s", (_name, src, want) => {
    expect(plain(parseToml(src))).toEqual(want);
  });
  it("accepts inf and nan", () => {
    expect(parseToml("a = inf\nb = -inf\nc = nan")).toEqual({ a: Infinity, b: -Infinity, c: NaN });
  });
  it.each(INVALID)("rejects %s", (_name, src) => {
    expect(() => parseToml(src)).toThrow();
  });
  it("reports the line and column of the error", () => {
    const err = (() => {
      try {
        parseToml('# comment\nname = "a"\nmain = \n');
      } catch (e) {
        return e;
      }
      return null;
    })();
    expect(err).toBeInstanceOf(ConfigParseError);
    expect(err).toMatchObject({ line: 3, column: 8, message: "line 3, column 8: invalid value" });
  });
});
