import { describe, expect, it } from "vitest";
import { EngineerOutput, engineerFileErrors } from "./engineer";

const out = (files: { path: string; content: string }[]) => EngineerOutput.parse({ summary: "s", files });

describe("engineer output checks", () => {
  it("rejects unsafe or duplicate paths at the schema", () => {
    for (const path of ["/etc/passwd", "../x.js", "a/../../b", "a//b", "dir/", "a\\\\b", "sp ace.js"]) {
      expect(EngineerOutput.safeParse({ summary: "s", files: [{ path, content: "" }] }).success, path).toBe(false);
    }
    expect(
      EngineerOutput.safeParse({
        summary: "s",
        files: [
          { path: "a.js", content: "" },
          { path: "a.js", content: "" },
        ],
      }).success,
    ).toBe(false);
  });

  it("parses JSON and wrangler configs for real", () => {
    expect(engineerFileErrors(out([{ path: "package.json", content: '{"scripts": {"test": "node --test"}}' }]))).toEqual([]);
    expect(engineerFileErrors(out([{ path: "package.json", content: '{"scripts": {}}' }]))).toEqual([
      expect.stringContaining("scripts.test"),
    ]);
    expect(engineerFileErrors(out([{ path: "package.json", content: "{nope" }]))[0]).toMatch(/^package.json: /);
    expect(engineerFileErrors(out([{ path: "wrangler.jsonc", content: '{ "name": "a" }' }]))).toEqual([
      expect.stringContaining('"main"'),
      expect.stringContaining("compatibility_date"),
    ]);
    expect(
      engineerFileErrors(out([{ path: "wrangler.toml", content: 'name = "a"\nmain = "x.js"\ncompatibility_date = "2025-01-01"\n' }])),
    ).toEqual([]);
  });
});
