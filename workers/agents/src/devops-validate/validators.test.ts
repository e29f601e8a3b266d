import { describe, expect, it } from "vitest";
import { parseJsonc } from "./jsonc";
import { ConfigParseError } from "./parse-error";
import { validateWranglerConfig } from "./wrangler";

describe("parseJsonc (jsonc-parser)", () => {
  it("accepts comments and trailing commas but keeps them inside strings", () => {
    expect(parseJsonc('// head\n{ "a": "http://x//y", /* c */ "b": [1, 2,], "c": "/* not a comment */", }')).toEqual({
      a: "http://x//y",
      b: [1, 2],
      c: "/* not a comment */",
    });
    expect(parseJsonc('{"q": "a \\" , }"}')).toEqual({ q: 'a " , }' });
  });
  it("rejects malformed input", () => {
    expect(() => parseJsonc('{ "a": 1 "b": 2 }')).toThrow(/CommaExpected/);
    expect(() => parseJsonc('{ "a": "open }')).toThrow(/UnexpectedEndOfString/);
    expect(() => parseJsonc('{ "a": 1 /* }')).toThrow(/UnexpectedEndOfComment/);
    expect(() => parseJsonc("")).toThrow(/ValueExpected/);
  });
  it("points errors into the original text, comments included", () => {
    // Line 4, column 3 is where "b" starts after the missing comma; a comment-stripping parser would say line 1 or 2.
    const text = '// a long comment that a stripper would remove\n{\n  "a": 1 /* inline, also removed */\n  "b": 2\n}';
    expect(() => parseJsonc(text)).toThrow(new ConfigParseError(4, 3, "CommaExpected"));
    expect(() => parseJsonc('{\n  /* x */ "a": 1,\n  "b": tru\n}')).toThrow(new ConfigParseError(3, 8, "InvalidSymbol"));
  });
  it("strict mode is plain JSON (package.json): no comments, no trailing commas", () => {
    expect(() => parseJsonc('{ "a": 1, }', { strict: true })).toThrow(/^line 1, column 11: PropertyNameExpected$/);
    expect(() => parseJsonc('// c\n{ "a": 1 }', { strict: true })).toThrow(/line 1, column 1: InvalidCommentToken/);
    expect(parseJsonc('{ "a": [1] }', { strict: true })).toEqual({ a: [1] });
  });
});

describe("validateWranglerConfig", () => {
  const good =
    '{\n  // c\n  "name": "my-app",\n  "main": "src/index.js",\n  "compatibility_date": "2025-01-01",\n  "d1_databases": [{ "binding": "DB", "database_name": "db" },],\n}';
  it("accepts valid JSONC and TOML", () => {
    expect(validateWranglerConfig(good, "jsonc")).toEqual([]);
    expect(validateWranglerConfig('name = "my-app"\nmain = "src/index.js"\ncompatibility_date = "2025-01-01"\n', "toml")).toEqual([]);
  });
  it("rejects missing keys, bad values and syntax errors", () => {
    expect(validateWranglerConfig('{ "main": "x.js", "compatibility_date": "2025-01-01" }', "jsonc")).toEqual([
      expect.stringContaining('"name"'),
    ]);
    expect(validateWranglerConfig('{ "name": "a", "compatibility_date": "2025-13-45" }', "jsonc")).toEqual([
      expect.stringContaining('"main"'),
      expect.stringContaining("compatibility_date"),
    ]);
    expect(
      validateWranglerConfig('{ "name": "My App", "main": "x.js", "compatibility_date": "2025-01-01", "d1_databases": [{}] }', "jsonc"),
    ).toEqual([expect.stringContaining('"name"'), expect.stringContaining("d1_databases[0]")]);
    expect(validateWranglerConfig('{ "name": "a", ', "jsonc")[0]).toMatch(/^wrangler.jsonc: /);
    expect(validateWranglerConfig('name = "a"\nmain = \n', "toml")).toEqual(["wrangler.toml: line 2, column 8: invalid value"]);
    expect(validateWranglerConfig('{\n  // name first\n  "name": "a",,\n}', "jsonc")).toEqual([
      "wrangler.jsonc: line 3, column 15: PropertyNameExpected",
    ]);
    expect(validateWranglerConfig("[1, 2]", "jsonc")).toEqual(["wrangler.jsonc: top level must be an object"]);
  });
});
